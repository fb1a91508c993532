/**
 * A watch whose create request is too large (an oversize key) fails alone and never takes the
 * shared stream, and the other watches on it, down with it: above the transport's 2 MiB default
 * `watch()` throws before any I/O; a smaller send limit of the transport, or etcd's own receive
 * limit (`--max-request-bytes` + 512 KiB, here 1 KiB + 512 KiB), fails only that watch and the
 * stream is re-opened for the others.
 */
import { createTransport, isEtcdError } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWatch, type Watcher } from "./create-watch.js";
import type { Watch } from "./watch.js";
import { collectEvents, connectWatch, uniquePrefix, type WatchEnv } from "./watch-test-env.test-helpers.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A watch on `prefix` that is registered, plus a check that it still gets the next put. */
async function healthyWatch(env: WatchEnv, watcher: Watcher, prefix: string): Promise<{ watch: Watch; stillDelivers(): Promise<void> }> {
  const watch = watcher.watch(prefix, { prefix: true });
  await watch.ready;
  return {
    watch,
    async stillDelivers() {
      const revision = await env.put(`${prefix}k`, "v");
      const batches = await collectEvents(watch, 1, 15_000, (b) => b.some((x) => x.revision >= revision));
      expect(batches.flatMap((b) => b.events.map((e) => e.kv.modRevision))).toContain(revision);
    },
  };
}

describe("oversize watch creates (real etcd with --max-request-bytes=1024)", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  beforeAll(async () => {
    cluster = await startEtcd({ flags: ["--max-request-bytes=1024"] });
    env = connectWatch(cluster.endpoints);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("a create over the transport's 2 MiB default throws message-too-large from watch(), before any I/O", async () => {
    const prefix = uniquePrefix("client-limit");
    const other = await healthyWatch(env, env.watcher, prefix);
    const opened = env.watcher.stats.streamsOpened;
    const key = "k".repeat(2 * 1024 * 1024);
    expect(() => env.watcher.watch(key)).toThrow(expect.objectContaining({ reason: "message-too-large" }));
    // a prefix watch sends its key twice (key and range end)
    expect(() => env.watcher.watch("p".repeat(1024 * 1024 + 16), { prefix: true })).toThrow(
      expect.objectContaining({ reason: "message-too-large" }),
    );
    await other.stillDelivers();
    expect(env.watcher.stats.streamsOpened).toBe(opened);
    other.watch.cancel();
  });

  it("a create over the transport's own smaller send limit fails that watch alone", async () => {
    const transport = createTransport({ endpoints: cluster.endpoints, maxSendMessageBytes: 4096 });
    const watcher = createWatch(transport);
    try {
      const prefix = uniquePrefix("transport-limit");
      const other = await healthyWatch(env, watcher, prefix);
      const big = watcher.watch(`${prefix}${"x".repeat(8000)}`);
      const error = await big.ready.catch((e: unknown) => e);
      expect(isEtcdError(error, "message-too-large"), String(error)).toBe(true);
      await expect(big.next()).rejects.toMatchObject({ reason: "message-too-large" });
      await other.stillDelivers();
      const small = watcher.watch(`${prefix}small`);
      await small.ready;
    } finally {
      await watcher.close();
      await transport.close();
    }
  });

  it("a create over etcd's receive limit (ResourceExhausted on the stream) fails that watch alone, without a re-open loop", async () => {
    const prefix = uniquePrefix("server-limit");
    const transport = createTransport({ endpoints: cluster.endpoints });
    const watcher = createWatch(transport);
    try {
      const other = await healthyWatch(env, watcher, prefix);
      const opened = watcher.stats.streamsOpened;
      const big = watcher.watch(`${prefix}${"y".repeat(600_000)}`); // over 1 KiB + 512 KiB
      const error = await big.ready.catch((e: unknown) => e);
      expect(isEtcdError(error, "message-too-large"), String(error)).toBe(true);
      await other.stillDelivers();
      await sleep(500);
      expect(watcher.stats.streamsOpened - opened).toBeLessThanOrEqual(1);
      expect(watcher.stats.connected).toBe(true);
    } finally {
      await watcher.close();
      await transport.close();
    }
  });
});
