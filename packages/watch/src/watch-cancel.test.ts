/**
 * How watches end, against a real etcd: canceling removes the watcher on the server (etcd's own
 * watcher gauge from /metrics, and no event for it afterwards), by return()/break, cancel(),
 * signal, close() and `await using`; and a watch etcd refuses (permission denied, with auth
 * enabled) ends with the server's typed reason while the other watches of the stream go on.
 */
import { createClient } from "@connectrpc/connect";
import { Auth } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { Permission_Type } from "@etcdkit/api/authpb/auth_pb";
import { createTransport, isEtcdError, prefixRangeEnd, toBytes } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWatch } from "./create-watch.js";
import { collectEvents, connectWatch, eventually, serverWatcherCount, uniquePrefix, type WatchEnv } from "./watch-test-env.test-helpers.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("ending watches (real etcd)", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  let url: string;
  beforeAll(async () => {
    cluster = await startEtcd();
    url = cluster.clientUrls[0]!;
    env = connectWatch(cluster.endpoints);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("canceling a watch removes it on the server: the gauge drops, and a later put produces no event for it", async () => {
    const prefix = uniquePrefix("cancel");
    const base = await serverWatcherCount(url);
    const kept = env.watcher.watch(`${prefix}kept`);
    const canceled = env.watcher.watch(`${prefix}canceled`);
    await Promise.all([kept.ready, canceled.ready]);
    expect(env.watcher.stats.serverWatchers).toBe(2);
    expect(await serverWatcherCount(url)).toBe(base + 2);

    let sawCanceled = 0;
    const consumer = (async () => {
      for await (const batch of canceled) sawCanceled += batch.events.length;
    })();
    await env.put(`${prefix}canceled`, "before");
    await eventually(() => sawCanceled === 1, 5_000, "the first event");
    await canceled.return();
    await consumer;

    await eventually(() => env.watcher.stats.serverWatchers === 1, 5_000, "etcd to confirm the cancel");
    expect(await serverWatcherCount(url)).toBe(base + 1);
    const strays = env.watcher.stats.strayResponses;
    await env.put(`${prefix}canceled`, "after");
    const revision = await env.put(`${prefix}kept`, "v");
    const [batch] = await collectEvents(kept, 1);
    expect(batch!.revision).toBe(revision);
    expect(env.watcher.stats.strayResponses).toBe(strays); // no response for the canceled watch ID
    expect(sawCanceled).toBe(1);
    kept.cancel();
    await eventually(async () => (await serverWatcherCount(url)) === base, 5_000, "the last watcher to go");
    expect(env.watcher.stats.connected).toBe(false); // the stream closes with its last watch
  });

  it("break in for-await, a signal, cancel() before registration and `await using` all end quietly and leave nothing on the server", async () => {
    const prefix = uniquePrefix("ends");
    const base = await serverWatcherCount(url);

    const broken = env.watcher.watch(`${prefix}a`);
    await broken.ready;
    void env.put(`${prefix}a`, "1");
    for await (const batch of broken) {
      expect(batch.events).toHaveLength(1);
      break;
    }

    const controller = new AbortController();
    const signaled = env.watcher.watch(`${prefix}b`, { signal: controller.signal });
    await signaled.ready;
    const pending = signaled.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });

    const early = env.watcher.watch(`${prefix}c`);
    early.cancel();
    const ready = await early.ready.catch((e: unknown) => e);
    expect(isEtcdError(ready, "canceled")).toBe(true);

    {
      await using scoped = env.watcher.watch(`${prefix}d`);
      await scoped.ready;
    }

    const aborted = env.watcher.watch(`${prefix}e`, { signal: AbortSignal.abort() });
    expect(await aborted.next()).toEqual({ value: undefined, done: true });

    await eventually(async () => (await serverWatcherCount(url)) === base, 5_000, "every watcher to be removed on the server");
    expect(env.watcher.stats.watches).toBe(0);
  });

  it("close() ends every watch of the watcher quietly; other watchers on the transport share the stream and go on", async () => {
    const prefix = uniquePrefix("close");
    const mine = createWatch(env.transport);
    const a = mine.watch(`${prefix}a`);
    const b = mine.watch(`${prefix}b`, { prefix: true });
    const other = env.watcher.watch(`${prefix}other`);
    await Promise.all([a.ready, b.ready, other.ready]);
    expect(env.watcher.stats.serverWatchers).toBe(3); // one stream for both watchers
    await mine.close();
    expect(await a.next()).toEqual({ value: undefined, done: true });
    expect(await b.next()).toEqual({ value: undefined, done: true });
    expect(() => mine.watch("x")).toThrow(/closed/);
    const revision = await env.put(`${prefix}other`, "still here");
    const [batch] = await collectEvents(other, 1);
    expect(batch!.revision).toBe(revision);
    await eventually(() => env.watcher.stats.serverWatchers === 1, 5_000, "the closed watcher's watches to be canceled");
    other.cancel();
  });

  it("rejects bad arguments before any I/O", () => {
    expect(() => env.watcher.watch("")).toThrow(expect.objectContaining({ reason: "empty-key" }));
    expect(() => env.watcher.watch("a", { prefix: true, fromKey: true } as never)).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
    expect(() => env.watcher.watch("a", { startRevision: -1n })).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
    expect(() => env.watcher.watch("a", { startRevision: 5 as never })).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
  });

  it("the transport closing ends watches with transport-closed", async () => {
    const transport = createTransport({ endpoints: cluster.endpoints });
    const watch = createWatch(transport).watch("closing");
    await watch.ready;
    const next = watch.next();
    await transport.close();
    const error = await next.catch((e: unknown) => e);
    expect(isEtcdError(error, "transport-closed")).toBe(true);
  });
});

describe("watches with auth enabled (simple tokens expiring after 1 s)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ flags: ["--auth-token=simple", "--auth-token-ttl=1"] });
    const admin = createTransport({ endpoints: cluster.endpoints });
    const auth = createClient(Auth, admin);
    await auth.userAdd({ name: "root", password: "root-pw" });
    await auth.userGrantRole({ user: "root", role: "root" });
    await auth.roleAdd({ name: "reader" });
    await auth.roleGrantPermission({
      name: "reader",
      perm: { permType: Permission_Type.READ, key: toBytes("public/"), rangeEnd: prefixRangeEnd(toBytes("public/")) },
    });
    await auth.userAdd({ name: "alice", password: "alice-pw" });
    await auth.userGrantRole({ user: "alice", role: "reader" });
    await auth.authEnable({});
    await admin.close();
  });
  afterAll(() => cluster?.stop());

  it("ends with permission-denied while the permitted watch on the same stream keeps working", async () => {
    const transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "alice", password: "alice-pw" } });
    const root = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: "root-pw" } });
    const watcher = createWatch(transport);
    const allowed = watcher.watch("public/", { prefix: true });
    const denied = watcher.watch("secret/", { prefix: true });
    const readyError = await denied.ready.catch((e: unknown) => e);
    expect(isEtcdError(readyError, "permission-denied"), String(readyError)).toBe(true);
    const error = await denied.next().catch((e: unknown) => e);
    expect(isEtcdError(error, "permission-denied")).toBe(true);
    expect((error as Error).message).toContain("etcdserver: permission denied");

    await allowed.ready;
    const { header } = await createClient((await import("@etcdkit/api/etcdserverpb/rpc_pb")).KV, root).put({
      key: toBytes("public/news"),
      value: toBytes("hello"),
    });
    const [batch] = await collectEvents(allowed, 1);
    expect(batch!.revision).toBe(header!.revision);
    await sleep(10);
    expect(watcher.stats.serverWatchers).toBe(1);
    await watcher.close();
    await transport.close();
    await root.close();
  });

  it("a create refused for an expired stream token is retried on a re-opened stream with a fresh token", async () => {
    const transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "alice", password: "alice-pw" } });
    const root = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: "root-pw" } });
    const { KV } = await import("@etcdkit/api/etcdserverpb/rpc_pb");
    const watcher = createWatch(transport);
    const first = watcher.watch("public/first");
    await first.ready;
    const opened = watcher.stats.streamsOpened;
    await sleep(2_500); // the token the stream was opened with expires (unused for > 1 s)
    const second = watcher.watch("public/second");
    await second.ready; // etcd refused the first try ("invalid auth token"); the retry got through
    expect(watcher.stats.streamsOpened).toBeGreaterThan(opened);
    const { header } = await createClient(KV, root).put({ key: toBytes("public/second"), value: toBytes("v") });
    const [batch] = await collectEvents(second, 1);
    expect(batch!.revision).toBe(header!.revision);
    await watcher.close();
    await transport.close();
    await root.close();
  });
});
