/**
 * Three real etcd members: the member carrying the watch stream is made the leader, then killed;
 * the watch carries on through another member with every event, in order, exactly once.
 */
import { createClient } from "@connectrpc/connect";
import { Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectEvents, connectWatch, eventually, uniquePrefix, type WatchEnv } from "./watch-test-env.test-helpers.js";

/** Member index → { id, isLeader } from each member's own Status. */
async function statuses(cluster: EtcdCluster): Promise<{ id: bigint; leader: bigint }[]> {
  return Promise.all(
    cluster.clientUrls.map(async (url) => {
      const transport = createTransport({ endpoints: [url] });
      try {
        const status = await createClient(Maintenance, transport).status({}, { timeoutMs: 3_000 });
        return { id: status.header!.memberId, leader: status.leader };
      } finally {
        await transport.close();
      }
    }),
  );
}

/** Makes member `index` the leader (MoveLeader, sent to the current leader). */
async function makeLeader(cluster: EtcdCluster, index: number): Promise<void> {
  const all = await statuses(cluster);
  const target = all[index]!.id;
  const leaderIndex = all.findIndex((s) => s.id === all[0]!.leader);
  if (all[0]!.leader === target) return;
  const transport = createTransport({ endpoints: [cluster.clientUrls[leaderIndex]!] });
  try {
    await createClient(Maintenance, transport).moveLeader({ targetID: target }, { timeoutMs: 10_000 });
  } finally {
    await transport.close();
  }
  await eventually(async () => (await statuses(cluster)).every((s) => s.leader === target), 10_000, "the leader to move");
}

/**
 * A put of a fresh key that survives the election: a put that failed with an unknown outcome is
 * looked up before it is repeated, so each key is written exactly once.
 */
async function putOnce(env: WatchEnv, key: string, value: string): Promise<bigint> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await env.put(key, value);
    } catch (err) {
      if (attempt > 20) throw err;
      for (let read = 0; ; read++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const found = await env.kv.range({ key: new TextEncoder().encode(key) }).catch((e: unknown) => (read > 50 ? Promise.reject(e) : undefined));
        if (found === undefined) continue;
        if (found.kvs[0] !== undefined) return found.kvs[0].modRevision;
        break;
      }
    }
  }
}

describe("watch across a leader failure (3 real members)", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, proxy: true });
    env = connectWatch(cluster.endpoints, cluster.clientUrls);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("killing the leader that carries the watch stream: the watch moves to another member and misses nothing", async () => {
    const prefix = uniquePrefix("failover");
    for (const m of cluster.members) m.proxy!.resetStats();
    const watch = env.watcher.watch(prefix, { prefix: true });
    await watch.ready;
    const carrier = cluster.members.findIndex((m) => m.proxy!.stats.http2Streams > 0);
    expect(carrier).toBeGreaterThanOrEqual(0);
    await makeLeader(cluster, carrier);
    const opened = env.watcher.stats.streamsOpened;

    const written: bigint[] = [];
    for (let i = 0; i < 50; i++) written.push(await env.put(`${prefix}${i}`, "before"));
    await cluster.kill(carrier);
    for (let i = 50; i < 100; i++) written.push(await putOnce(env, `${prefix}${i}`, "after"));

    const batches = await collectEvents(watch, 100, 30_000);
    expect(batches.flatMap((b) => b.events.map((e) => e.kv.modRevision))).toEqual(written);
    expect(env.watcher.stats.streamsOpened).toBeGreaterThan(opened);
    const survivors = cluster.members.filter((_, i) => i !== carrier);
    expect(survivors.some((m) => m.proxy!.stats.http2Streams > 0)).toBe(true);
    watch.cancel();
  }, 60_000);
});
