import { spawn } from "node:child_process";
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { KV, Watch } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EtcdError } from "../errors/etcd-error.js";
import { bytes, sleep, timed } from "../test-support.test-helpers.js";
import { createTransport } from "./create-transport.js";

/** Generous bound for "settled at its deadline" on a busy machine (the failure mode is ~80 s). */
const SLACK_MS = 5_000;

/** Settles with the call's outcome, or with "hung" after `limitMs` (so a hang fails the test, not the run). */
function within<T>(promise: Promise<T>, limitMs: number): Promise<T | "hung"> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), limitMs)));
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Records the HTTP/2 sessions node:http2 reports as destroyed (perf_hooks "http2" entries). */
function watchSessionTeardowns(): { since(startTime: number): number; stop(): void } {
  const sessions: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.name === "Http2Session") sessions.push(entry);
  });
  observer.observe({ entryTypes: ["http2"] });
  return {
    since: (startTime) => sessions.filter((entry) => entry.startTime >= startTime).length,
    stop: () => observer.disconnect(),
  };
}

/**
 * A unary request larger than the HTTP/2 flow-control window (64 KiB at etcd) is still being
 * written when a short deadline fires. etcd, which also got the deadline as grpc-timeout, resets
 * the stream, and when its reset arrives before ours, node:http2 never closes the stream on our
 * side: its request bytes wait for a window that never comes. The tests talk to the member
 * directly: a proxy in between delays etcd's reset enough that ours always goes first.
 */
describe("a call whose request is still being written when it ends", () => {
  let cluster: EtcdCluster;
  let url: string;

  beforeAll(async () => {
    // Short keepalive PINGs are legal for this server, so a connection that etcd counts as idle while
    // the client thinks a stream is open is punished (GOAWAY too_many_pings) within seconds.
    cluster = await startEtcd({ flags: ["--grpc-keepalive-min-time=100ms"] });
    url = cluster.members[0]!.clientUrl;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("settles at its deadline, whatever the size and however short the deadline", async () => {
    await using transport = createTransport({ endpoints: [url] });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("warm") });
    for (const size of [70_000, 200_000, 1_000_000]) {
      for (const timeoutMs of [1, 3]) {
        const put = timed(() => kv.put({ key: bytes("half-sent/deadline"), value: new Uint8Array(size) }, { timeoutMs }));
        const outcome = await within(put, timeoutMs + SLACK_MS);
        expect(outcome, `${size} bytes, ${timeoutMs} ms`).not.toBe("hung");
        if (outcome === "hung") return;
        // Either it got through in time, or it failed with its deadline.
        if (outcome.error !== undefined) expect((outcome.error as EtcdError).reason, `${size} bytes, ${timeoutMs} ms`).toBe("deadline-exceeded");
      }
    }
  });

  it("settles when its AbortSignal fires, whatever the size", async () => {
    await using transport = createTransport({ endpoints: [url] });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("warm") });
    for (const size of [70_000, 1_000_000]) {
      for (const abortAfterMs of [0, 1, 3]) {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), abortAfterMs);
        const put = timed(() => kv.put({ key: bytes("half-sent/signal"), value: new Uint8Array(size) }, { signal: controller.signal }));
        const outcome = await within(put, abortAfterMs + SLACK_MS);
        expect(outcome, `${size} bytes, abort after ${abortAfterMs} ms`).not.toBe("hung");
        if (outcome === "hung") return;
        if (outcome.error !== undefined) expect((outcome.error as EtcdError).reason, `${size} bytes`).toBe("canceled");
      }
    }
  });

  it("leaves the connection healthy: it is not torn down, and calls and streams on it keep working", async () => {
    const teardowns = watchSessionTeardowns();
    try {
      const createdAt = performance.now();
      await using transport = createTransport({ endpoints: [url], keepAliveIntervalMs: 200, keepAliveTimeoutMs: 2_000 });
      const kv = createClient(KV, transport);
      await kv.range({ key: bytes("warm") });

      for (const timeoutMs of [1, 2, 3]) {
        const cut = await within(
          timed(() => kv.put({ key: bytes("half-sent/healthy"), value: new Uint8Array(1_000_000) }, { timeoutMs })),
          SLACK_MS,
        );
        expect(cut).not.toBe("hung");
      }
      // A cut stream still counted as open makes the client PING a connection that etcd sees as
      // idle, and etcd answers with GOAWAY too_many_pings, which kills every stream on it.
      await sleep(3_000);
      expect(teardowns.since(createdAt)).toBe(0);

      const watch = createClient(Watch, transport);
      const requests = (async function* () {
        yield { requestUnion: { case: "createRequest" as const, value: { key: bytes("half-sent/healthy") } } };
        await sleep(60_000);
      })();
      let created = false;
      for await (const response of watch.watch(requests, { signal: AbortSignal.timeout(10_000) })) {
        if (response.created) {
          created = true;
          break;
        }
      }
      expect(created).toBe(true);
      expect((await kv.range({ key: bytes("half-sent/healthy") }, { timeoutMs: 5_000 })).header?.revision).toBeGreaterThan(0n);
      expect(teardowns.since(createdAt)).toBe(0); // one connection all along
    } finally {
      teardowns.stop();
    }
  });

  it("does not keep the process alive afterwards", async () => {
    const script = fileURLToPath(new URL("./child-exit.test-helpers.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@etcdkit/source", script, url, "half-sent"], {
      cwd: fileURLToPath(new URL("../../../..", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      child.on("exit", (c) => {
        clearTimeout(killer);
        resolve(c);
      });
    });
    expect(output).toContain("half-sent: deadline-exceeded");
    expect(code, output).toBe(0);
    expect(performance.now() - started, output).toBeLessThan(15_000); // not held until etcd drops the connection
  });
});
