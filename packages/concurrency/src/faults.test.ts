/**
 * Locks and elections under faults, on 3 real etcd members: a member killed (the raft leader), a
 * client process paused (SIGSTOP) past its session TTL, a leader's process killed. Every write a
 * lock holder or leader makes is guarded by its fencing (`isOwner()` / `isLeader()`); afterwards
 * the queue's history is read back from etcd, and every accepted write must have been made by the
 * holder of that moment: zero writes with a stale token.
 */
import { createKV } from "@etcdkit/kv";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, eventually, sleep, uniqueName } from "./concurrency-test-env.test-helpers.js";
import { runLockClient, type FaultEvent } from "./fault-clients.test-helpers.js";
import { killChildren, queueHistory, raftLeaderIndex, resourceHistory, spawnFaultChild } from "./fault-env.test-helpers.js";
import { createElection, createSession, type LeaderObservation } from "./index.js";

type Acquired = Extract<FaultEvent, { type: "acquired" }>;

describe("locks and elections under faults (3 real members)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3 });
  });
  afterAll(async () => {
    await killChildren();
    await closeAll();
    await cluster?.stop();
  });

  it("5 clients × 20 acquisitions while the raft leader is killed and a client is paused past its TTL: no stale write accepted", async () => {
    const name = uniqueName("fault-lock");
    const resource = `${name}-resource`;
    const kv = createKV(connect(cluster.endpoints));
    const from = (await kv.put(`${name}-start`, "")).revision + 1n;
    const events: FaultEvent[] = [];
    const childTtl = 2;
    const child = spawnFaultChild({ mode: "lock", endpoints: cluster.endpoints, name, resource, id: "paused", ttl: childTtl, acquisitions: 20, pauseAt: 2, holdMs: 300 });
    await child.next("ready");
    // The fault driver: pause the child while it holds the lock, past its TTL; kill the raft leader.
    const pauser = (async () => {
      await child.next("holding", 60_000);
      child.process.kill("SIGSTOP");
      await sleep(childTtl * 1000 + 3_000);
      child.process.kill("SIGCONT");
    })();
    const clients = [0, 1, 2, 3].map((n) =>
      runLockClient({ endpoints: cluster.endpoints, name, resource, id: `local-${n}`, ttl: 5, acquisitions: 20 }, (e) => events.push(e)),
    );
    const killer = (async () => {
      await eventually(() => events.filter((e) => e.type === "acquired").length >= 15, 60_000, "15 acquisitions");
      const victim = await raftLeaderIndex(cluster);
      await cluster.kill(victim);
      await eventually(() => events.filter((e) => e.type === "acquired").length >= 45, 60_000, "45 acquisitions");
      await cluster.restart(victim);
    })();
    await Promise.all([...clients, pauser, killer]);
    await child.next("done", 90_000);
    await child.exited;
    const all = [...events, ...child.events];

    // Every acquisition completed or failed with a typed reason.
    const outcomes = all.filter((e): e is Acquired | Extract<FaultEvent, { type: "failed" }> => e.type === "acquired" || e.type === "failed");
    expect(outcomes).toHaveLength(100);
    expect(outcomes.filter((e) => e.type === "failed" && e.reason.startsWith("untyped"))).toEqual([]);
    const acquired = outcomes.filter((e): e is Acquired => e.type === "acquired");
    expect(acquired.filter((e) => e.writeError?.startsWith("untyped") === true)).toEqual([]);
    // The paused holder's write after its TTL was refused.
    const pausedWrite = child.events.find((e): e is Acquired => e.type === "acquired" && e.paused);
    expect(pausedWrite?.accepted).toBe(false);
    // Every write etcd applied to the resource (also those whose answer was lost) was made by the
    // holder of that revision, and the fencing tokens of the applied writes never go back.
    const holderAt = await queueHistory(cluster.endpoints, `${name}/`, from);
    const applied = await resourceHistory(cluster.endpoints, resource, from);
    expect(applied.length).toBeGreaterThan(50);
    expect(applied.length).toBeGreaterThanOrEqual(acquired.filter((e) => e.accepted === true).length);
    const tokenOf = (value: string): bigint => BigInt(value.split(":")[2]!);
    expect(applied.filter((w) => holderAt(w.revision) !== tokenOf(w.value))).toEqual([]);
    for (let i = 1; i < applied.length; i++) expect(tokenOf(applied[i]!.value) >= tokenOf(applied[i - 1]!.value)).toBe(true);
  }, 180_000);

  it("election: the leader's process is killed, a new leader is observed within TTL + 2 s; a paused leader's writes are refused; never two leaders' writes", async () => {
    const name = uniqueName("fault-election");
    const resource = `${name}-resource`;
    const ttl = 2;
    const kv = createKV(connect(cluster.endpoints));
    const from = (await kv.put(`${name}-start`, "")).revision + 1n;
    const candidates = ["c0", "c1", "c2"].map((id) => spawnFaultChild({ mode: "candidate", endpoints: cluster.endpoints, name, resource, id, ttl }));
    await Promise.all(candidates.map((c) => c.next("ready")));
    await using observerSession = await createSession(connect(cluster.endpoints), { ttl: 30 });
    const observations: { at: number; observation: LeaderObservation }[] = [];
    const controller = new AbortController();
    const observing = (async () => {
      for await (const observation of createElection(observerSession, name).observe({ signal: controller.signal })) {
        observations.push({ at: performance.now(), observation });
      }
    })();
    const leaderNow = (): LeaderObservation["leader"] => observations[observations.length - 1]?.observation.leader;
    const byId = (id: string) => candidates[Number(id.slice(1))]!;
    const hasAcceptedWrite = (id: string) => byId(id).events.some((e) => e.type === "write" && e.accepted);

    // 1. Kill the leader's process.
    await eventually(() => leaderNow() !== undefined && hasAcceptedWrite(leaderNow()!.text()), 20_000, "a leader that writes");
    const first = leaderNow()!;
    byId(first.text()).kill("SIGKILL");
    const killedAt = performance.now();
    await eventually(() => leaderNow() !== undefined && leaderNow()!.createRevision !== first.createRevision, (ttl + 10) * 1000, "a new leader");
    const next = observations.find((o) => o.at >= killedAt && o.observation.leader !== undefined && o.observation.leader.createRevision !== first.createRevision)!;
    expect(next.at - killedAt).toBeLessThanOrEqual(ttl * 1000 + 2_000);

    // 2. Pause the new leader past its TTL: another leads; the paused one's writes are refused when it wakes.
    const second = leaderNow()!;
    await eventually(() => hasAcceptedWrite(second.text()), 20_000, "the second leader writing");
    const paused = byId(second.text());
    paused.process.kill("SIGSTOP");
    await eventually(() => leaderNow() !== undefined && leaderNow()!.createRevision !== second.createRevision, (ttl + 10) * 1000, "a third leader");
    await eventually(() => hasAcceptedWrite(leaderNow()!.text()), 20_000, "the third leader writing");
    const refusedBefore = paused.events.filter((e) => e.type === "write" && !e.accepted).length;
    paused.process.kill("SIGCONT");
    await eventually(() => paused.events.filter((e) => e.type === "write" && !e.accepted).length > refusedBefore, 20_000, "the paused leader's refused write");
    await sleep(300);
    controller.abort();
    await observing;
    await killChildren();

    // Every write etcd applied was made by the leader of that revision: never two leaders' writes.
    const writes = candidates.flatMap((c) => c.events).filter((e): e is Extract<FaultEvent, { type: "write" }> => e.type === "write");
    expect(new Set(writes.filter((w) => w.accepted).map((w) => w.id)).size).toBeGreaterThanOrEqual(3);
    const leaderAt = await queueHistory(cluster.endpoints, `${name}/`, from);
    const applied = await resourceHistory(cluster.endpoints, resource, from);
    const tokenOf = (value: string): bigint => BigInt(value.split(":")[1]!);
    expect(applied.length).toBeGreaterThanOrEqual(3);
    expect(applied.filter((w) => leaderAt(w.revision) !== tokenOf(w.value))).toEqual([]);
  }, 180_000);
});
