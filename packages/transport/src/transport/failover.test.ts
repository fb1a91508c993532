import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, leaderIndex, proxyStreams, sleep, sum } from "../test-support.test-helpers.js";
import { createTransport, type EtcdTransport } from "./create-transport.js";

/**
 * Three members, each behind a TCP proxy that counts HTTP/2 streams (gRPC calls), so the tests
 * can see which member got which call and that no write was ever sent twice.
 */
describe("failover across three members", () => {
  let cluster: EtcdCluster;
  let transport: EtcdTransport;

  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, proxy: true });
    transport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await transport?.close();
    await cluster?.stop();
  });

  it("balances calls round-robin over all members", async () => {
    const kv = createClient(KV, transport);
    await kv.put({ key: bytes("rr/k"), value: bytes("v") });
    await sleep(50); // lazily started connections to the other members complete
    const before = proxyStreams(cluster);
    for (let i = 0; i < 30; i++) await kv.range({ key: bytes("rr/k") });
    const after = proxyStreams(cluster);
    const used = after.map((n, i) => n - before[i]!);
    expect(sum(used)).toBe(30);
    for (const n of used) expect(n).toBeGreaterThanOrEqual(5);
  });

  it("keeps reads succeeding while a member is killed, and uses it again after restart", async () => {
    const kv = createClient(KV, transport);
    await kv.put({ key: bytes("reads/k"), value: bytes("v") });
    const victim = (await leaderIndex(cluster)) === 0 ? 1 : 0; // a follower: no election in the way
    let failures: unknown[] = [];
    let reads = 0;
    let stop = false;
    const readers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        try {
          const r = await kv.range({ key: bytes("reads/k") }, { timeoutMs: 3000 });
          expect(r.kvs).toHaveLength(1);
          reads++;
        } catch (err) {
          failures.push(err);
        }
      }
    });
    await sleep(300);
    await cluster.kill(victim);
    await sleep(1000);
    stop = true;
    await Promise.all(readers);
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(20);

    await cluster.restart(victim);
    const proxy = cluster.members[victim]!.proxy!;
    const before = proxy.stats.http2Streams;
    failures = [];
    const deadline = Date.now() + 8000;
    while (proxy.stats.http2Streams === before && Date.now() < deadline) {
      await kv.range({ key: bytes("reads/k") }, { timeoutMs: 3000 }).catch((err: unknown) => failures.push(err));
      await sleep(20);
    }
    expect(failures).toEqual([]);
    expect(proxy.stats.http2Streams).toBeGreaterThan(before);
  });

  it("never sends a write twice while the leader is killed", async () => {
    const kv = createClient(KV, transport);
    const victim = await leaderIndex(cluster);
    const outcomes: Array<{ key: string; ok: boolean; reason?: string; streams: number }> = [];
    const streamsBefore = transport.stats.streams;
    const proxiesBefore = sum(proxyStreams(cluster));
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const key = `writes/${i}`;
        const before = sum(proxyStreams(cluster));
        try {
          await kv.put({ key: bytes(key), value: bytes("x") }, { timeoutMs: 4000 });
          outcomes.push({ key, ok: true, streams: sum(proxyStreams(cluster)) - before });
        } catch (err) {
          expect(isEtcdError(err)).toBe(true);
          outcomes.push({ key, ok: false, reason: (err as { reason: string }).reason, streams: sum(proxyStreams(cluster)) - before });
        }
      }
    })();
    await sleep(400);
    await cluster.kill(victim);
    await sleep(1500);
    stop = true;
    await writer;

    // Every put reached etcd at most once, and every successful put exactly once.
    for (const o of outcomes) {
      expect(o.streams, o.key).toBeLessThanOrEqual(1);
      if (o.ok) expect(o.streams, o.key).toBe(1);
    }
    // The proxies saw no more streams than the transport opened (a stream cut before the proxy
    // could forward it is not counted), and the difference is accounted for by failed puts.
    const transportStreams = transport.stats.streams - streamsBefore;
    const proxied = sum(proxyStreams(cluster)) - proxiesBefore;
    const failed = outcomes.filter((o) => !o.ok).length;
    expect(proxied).toBeLessThanOrEqual(transportStreams);
    expect(transportStreams - proxied).toBeLessThanOrEqual(failed);
    for (const o of outcomes.filter((o) => !o.ok)) {
      // A put in flight on a follower when the leader died waits for the new term: it may also
      // hit its own deadline. Either way it is reported, never resent.
      expect(["outcome-unknown", "unavailable", "deadline-exceeded", "leader-changed", "no-leader", "timeout", "stopped"]).toContain(
        o.reason,
      );
    }
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThan(10);

    // etcd agrees: each key was written once (version 1), and every acknowledged put is there.
    await cluster.restart(victim);
    const all = await kv.range({ key: bytes("writes/"), rangeEnd: bytes("writes0") }, { timeoutMs: 5000 });
    const versions = new Map(all.kvs.map((kv) => [new TextDecoder().decode(kv.key), kv.version]));
    for (const v of versions.values()) expect(v).toBe(1n);
    for (const o of outcomes.filter((o) => o.ok)) expect(versions.has(o.key), o.key).toBe(true);
  });

  it("a stopping member (SIGTERM, GOAWAY): new writes move to the others, in-flight ones are reported, never resent", async () => {
    const kv = createClient(KV, transport);
    const victim = (await leaderIndex(cluster)) === 0 ? 1 : 0;
    const failures: string[] = [];
    let writesAfterStop = 0;
    let stopped = false;
    let stop = false;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        try {
          await kv.put({ key: bytes(`graceful/${w}/${i}`), value: bytes("x") }, { timeoutMs: 5000 });
          if (stopped) writesAfterStop++;
        } catch (err) {
          failures.push((err as { reason: string }).reason);
        }
      }
    });
    await sleep(300);
    await cluster.kill(victim, "SIGTERM");
    stopped = true;
    await sleep(700);
    stop = true;
    await Promise.all(writers);
    // etcd 3.4 cancels the calls still running on the stopping member: their outcome is unknown.
    // Calls started after its GOAWAY never reach it, and no call fails for any other reason.
    expect(failures.length).toBeLessThanOrEqual(3);
    for (const reason of failures) expect(reason).toBe("outcome-unknown");
    expect(writesAfterStop).toBeGreaterThan(10);
    const all = await kv.range({ key: bytes("graceful/"), rangeEnd: bytes("graceful0") });
    for (const item of all.kvs) expect(item.version).toBe(1n);
    await cluster.restart(victim);
  });

  it("requireLeader: a member without leader answers no-leader instead of blocking", async () => {
    const survivor = 2;
    const direct = createTransport({ endpoints: [cluster.members[survivor]!.endpoint], requireLeader: true });
    const plain = createTransport({ endpoints: [cluster.members[survivor]!.endpoint] });
    try {
      await cluster.kill(0);
      await cluster.kill(1);
      await sleep(1200); // > election timeout: the survivor notices it lost the leader
      const kv = createClient(KV, direct);
      const started = Date.now();
      // Range is repeatable: "no-leader" is retried (as Go does) until the deadline, which ends the
      // call; the last failure is its cause, and named in its message.
      const err = await kv.range({ key: bytes("x") }, { timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(isEtcdError(err, "deadline-exceeded")).toBe(true);
      expect(isEtcdError((err as Error).cause, "no-leader")).toBe(true);
      expect((err as Error).message).toContain("etcdserver: no leader");
      expect(Date.now() - started).toBeLessThan(1000 + 4000); // settled at its deadline, with slack for a busy machine
      // A write is not retried: the answer comes at once.
      const retriesBefore = direct.stats.retries;
      const writeErr = await kv.put({ key: bytes("x"), value: bytes("y") }, { timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(isEtcdError(writeErr, "no-leader")).toBe(true);
      expect(direct.stats.retries).toBe(retriesBefore);
      // Per call, through the header, on a transport without requireLeader.
      const perCall = createClient(KV, plain);
      const headerErr = await perCall.put({ key: bytes("x"), value: bytes("y") }, { headers: { hasleader: "true" } }).catch((e: unknown) => e);
      expect(isEtcdError(headerErr, "no-leader")).toBe(true);
    } finally {
      await direct.close();
      await plain.close();
      await Promise.all([cluster.restart(0), cluster.restart(1)]);
    }
  });
});
