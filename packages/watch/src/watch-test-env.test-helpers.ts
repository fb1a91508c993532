/**
 * Shared setup of the watch integration tests: etcdkit transports (through the harness's proxy
 * for the watcher, direct for writers), raw KV writes, collecting batches with a timeout, and
 * etcd's own count of watchers (from /metrics).
 *
 * @example
 * const env = connectWatch(cluster.endpoints, cluster.clientUrls);
 * const batches = await collectEvents(env.watcher.watch("k"), 1);
 */
import { createClient, type Client } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport, toBytes, type EtcdTransport } from "@etcdkit/transport";
import { createWatch, type Watcher } from "./create-watch.js";
import type { WatchBatch } from "./watch-event.js";
import type { Watch } from "./watch.js";

/** A watcher on `watchEndpoints` and a raw KV client on `writeEndpoints`. */
export interface WatchEnv {
  readonly transport: EtcdTransport;
  readonly watcher: Watcher;
  readonly kv: Client<typeof KV>;
  put(key: string, value: string): Promise<bigint>;
  close(): Promise<void>;
}

export function connectWatch(watchEndpoints: readonly string[], writeEndpoints: readonly string[] = watchEndpoints): WatchEnv {
  const transport = createTransport({ endpoints: [...watchEndpoints], dialTimeoutMs: 2_000 });
  const writer = createTransport({ endpoints: [...writeEndpoints], dialTimeoutMs: 2_000 });
  const kv = createClient(KV, writer);
  const watcher = createWatch(transport);
  return {
    transport,
    watcher,
    kv,
    async put(key, value) {
      const { header } = await kv.put({ key: toBytes(key), value: toBytes(value) });
      return header!.revision;
    },
    async close() {
      await watcher.close();
      await transport.close();
      await writer.close();
    },
  };
}

let counter = 0;
/** A fresh key prefix per test. */
export function uniquePrefix(name: string): string {
  counter += 1;
  return `/watch-test/${name}/${counter}/`;
}

/** Reads batches until `events` events arrived (or `until` says so); fails after `timeoutMs`. */
export async function collectEvents(
  watch: Watch,
  events: number,
  timeoutMs = 10_000,
  until?: (batches: WatchBatch[]) => boolean,
): Promise<WatchBatch[]> {
  const batches: WatchBatch[] = [];
  let count = 0;
  const timer = setTimeout(() => watch.cancel(), timeoutMs);
  try {
    for (;;) {
      if (count >= events && (until === undefined || until(batches))) return batches;
      const next = await watch.next();
      if (next.done === true) throw new Error(`watch ended after ${count} of ${events} events (timeout ${timeoutMs} ms?)`);
      batches.push(next.value);
      count += next.value.events.length;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** etcd's gauge of watchers held by the server (etcd_debugging_mvcc_watcher_total). */
export async function serverWatcherCount(clientUrl: string): Promise<number> {
  const text = await (await fetch(new URL("/metrics", clientUrl))).text();
  const line = text.split("\n").find((l) => l.startsWith("etcd_debugging_mvcc_watcher_total "));
  if (line === undefined) throw new Error("etcd_debugging_mvcc_watcher_total not found in /metrics");
  return Number(line.split(" ")[1]);
}

/** Polls `check` every 20 ms until it returns true; throws after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** "PUT \"foo\" : \"bar\"", as Go's examples print events. */
export function goEventLine(batch: WatchBatch): string[] {
  return batch.events.map((e) => `${e.type.toUpperCase()} ${JSON.stringify(e.kv.keyText())} : ${JSON.stringify(e.kv.text())}`);
}
