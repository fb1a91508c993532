/**
 * Watch scale, worker side: create `count` watches on distinct keys over one client, with a
 * consumer on each; measure the time until every watch is registered and the heap they hold;
 * then put each key once (from a separate etcdkit connection, the same for both clients) and
 * count the delivered events.
 */
import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport } from "@etcdkit/transport";
import { createWatch, type Watch } from "@etcdkit/watch";
import { Etcd3, type Watcher } from "etcd3";
import { pool, settledHeapUsed, until } from "./heap.js";
import type { ScaleSpec } from "./scale-cell.js";

/** What a watch-scale worker reports. */
export interface WatchScaleResult {
  readonly count: number;
  /** From the first watch call until every watch is registered by etcd. */
  readonly createMs: number;
  /** Process CPU during creation, ms. */
  readonly createCpuMs: number;
  /** (heap with every watch and its consumer − heap before) / count, after forced GCs. */
  readonly heapPerWatchBytes: number;
  /** The same before consumers are attached: the watches alone. */
  readonly heapPerWatchAloneBytes: number;
  /** Events delivered after one put per key. */
  readonly delivered: number;
  /** From the first put until the last event arrived. */
  readonly deliverMs: number;
}

interface Subject {
  /** Creates every watch; resolves when etcd has registered all of them. */
  start(keys: readonly string[]): Promise<void>;
  /** Attaches a consumer to every watch, calling `onEvent` per event. */
  consume(onEvent: () => void): void;
  close(): Promise<void>;
}

function etcdkitSubject(url: string): Subject {
  const transport = createTransport({ endpoints: [url] });
  const watcher = createWatch(transport);
  let watches: Watch[] = [];
  return {
    async start(keys) {
      watches = keys.map((key) => watcher.watch(key));
      await Promise.all(watches.map((w) => w.ready));
    },
    consume(onEvent) {
      for (const watch of watches) {
        void (async () => {
          for await (const batch of watch) for (let i = 0; i < batch.events.length; i++) onEvent();
        })();
      }
    },
    async close() {
      await watcher.close();
      await transport.close();
    },
  };
}

function etcd3Subject(url: string): Subject {
  const client = new Etcd3({ hosts: url });
  let watchers: Watcher[] = [];
  return {
    async start(keys) {
      watchers = await Promise.all(keys.map((key) => client.watch().key(key).create()));
    },
    consume(onEvent) {
      for (const watcher of watchers) watcher.on("put", onEvent);
    },
    close() {
      client.close();
      return Promise.resolve();
    },
  };
}

export async function measureWatchScale(spec: ScaleSpec): Promise<WatchScaleResult> {
  const subject = spec.client === "etcdkit" ? etcdkitSubject(spec.url) : etcd3Subject(spec.url);
  const writerTransport = createTransport({ endpoints: [spec.directUrl] });
  const writer = createClient(KV, writerTransport);
  // flat strings (JSON round trip), so that flattening the caller's rope strings is not counted
  const keys: string[] = JSON.parse(JSON.stringify(Array.from({ length: spec.count }, (_, i) => `${spec.keyPrefix}/${String(i).padStart(6, "0")}`)));
  const encoded = keys.map((k) => new TextEncoder().encode(k));
  const value = new TextEncoder().encode("v");
  let delivered = 0;
  const onEvent = (): void => {
    delivered++;
  };
  try {
    // warm-up: connect and run one watch, so connection setup is not part of the numbers
    await subject.start([`${spec.keyPrefix}/warm-up`]);
    await writer.range({ key: value });

    const heapBefore = await settledHeapUsed();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await subject.start(keys);
    const createMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const heapAlone = await settledHeapUsed();
    subject.consume(onEvent);
    const heapAfter = await settledHeapUsed();

    const t1 = performance.now();
    await pool(keys.length, 64, (i) => writer.put({ key: encoded[i]!, value }));
    await until(() => delivered >= keys.length, 60_000, `${keys.length} events (got ${delivered})`);
    const deliverMs = performance.now() - t1;
    return {
      count: keys.length,
      createMs,
      createCpuMs: (cpu.user + cpu.system) / 1000,
      heapPerWatchBytes: (heapAfter - heapBefore) / keys.length,
      heapPerWatchAloneBytes: (heapAlone - heapBefore) / keys.length,
      delivered,
      deliverMs,
    };
  } finally {
    await subject.close();
    await writerTransport.close();
  }
}
