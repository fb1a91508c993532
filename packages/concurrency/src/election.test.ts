/**
 * Election against a real etcd: the fixes Go lacks (each test names the bug it guards against),
 * observe's reporting, leader(), and the leader's fencing.
 */
import { createKV, op } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, eventually, reasonOf, stillPending, uniqueName, within } from "./concurrency-test-env.test-helpers.js";
import { createElection, createSession, type LeaderObservation } from "./index.js";

/** Collects observations from `iterable` into `into` until `signal` ends it. */
async function collect(iterable: AsyncIterable<LeaderObservation>, into: LeaderObservation[]): Promise<void> {
  for await (const observation of iterable) into.push(observation);
}

const describeLeader = (o: LeaderObservation): string => (o.leader === undefined ? "none" : o.leader.text());

describe("Election (real etcd)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  it("a candidate whose key is deleted while it waits fails session-expired at once and never leads (etcd #19597)", async () => {
    const transport = connect(cluster.endpoints);
    const name = uniqueName("phantom");
    await using leaderSession = await createSession(transport, { ttl: 30 });
    await using candidateSession = await createSession(transport, { ttl: 30 });
    const leader = createElection(leaderSession, name);
    await leader.campaign("leader");
    const candidate = createElection(candidateSession, name);
    const campaign = reasonOf(candidate.campaign("candidate"));
    await eventually(async () => (await createKV(transport).get(candidate.key)) !== undefined, 5_000, "the candidate's key");
    await createLease(connect(cluster.endpoints)).revoke(candidateSession.leaseId); // elsewhere: its keepalive has not noticed
    expect(await within(campaign, 5_000)).toBe("session-expired");
    expect(candidate.leading).toBe(false);
    await leader.resign();
    expect(await reasonOf(candidate.proclaim("phantom"))).toBe("election-not-leader");
  });

  it("proclaim fails election-not-leader once leadership is lost, and the candidate stops leading", async () => {
    const transport = connect(cluster.endpoints);
    const name = uniqueName("proclaim");
    await using session = await createSession(transport, { ttl: 30 });
    const election = createElection(session, name);
    await election.campaign("v1");
    await election.proclaim("v2");
    expect((await election.leader()).text()).toBe("v2");
    await createKV(transport).delete(election.key);
    expect(await reasonOf(election.proclaim("v3"))).toBe("election-not-leader");
    expect(election.leading).toBe(false);
    expect(await reasonOf(election.leader())).toBe("election-no-leader");
  });

  it("resign keeps its state when the request fails, so a retry resigns (etcd #22123)", async () => {
    const transport = connect(cluster.endpoints);
    const name = uniqueName("resign");
    await using s1 = await createSession(transport, { ttl: 30 });
    await using s2 = await createSession(transport, { ttl: 30 });
    const e1 = createElection(s1, name);
    const e2 = createElection(s2, name);
    await e1.campaign("e1");
    const next = e2.campaign("e2");
    expect(await reasonOf(e1.resign({ signal: AbortSignal.abort() }))).toBe("canceled");
    expect(e1.leading).toBe(true);
    expect((await e1.leader()).text()).toBe("e1");
    expect(await stillPending(next, 300)).toBe(true);
    await e1.resign();
    expect(e1.leading).toBe(false);
    await next;
    expect((await e2.leader()).text()).toBe("e2");
    await e2.resign();
  });

  it("observe yields the leader, every proclaim, every new leader, and 'no leader' when the last one leaves", async () => {
    const transport = connect(cluster.endpoints);
    const name = uniqueName("observe");
    await using s1 = await createSession(transport, { ttl: 30 });
    await using s2 = await createSession(transport, { ttl: 30 });
    await using watcherSession = await createSession(transport, { ttl: 30 });
    const observer = createElection(watcherSession, name);
    const controller = new AbortController();
    const seen: LeaderObservation[] = [];
    const done = collect(observer.observe({ signal: controller.signal }), seen);
    await eventually(() => seen.length === 1, 5_000, "the first observation");
    const e1 = createElection(s1, name);
    const e2 = createElection(s2, name);
    await e1.campaign("e1");
    await eventually(() => seen.length === 2, 5_000, "e1");
    const e2Campaign = e2.campaign("e2");
    await e1.proclaim("e1 v2");
    await eventually(() => seen.length === 3, 5_000, "e1 v2");
    await e1.resign();
    await e2Campaign;
    await eventually(() => seen.length === 4, 5_000, "e2");
    await e2.resign();
    await eventually(() => seen.length === 5, 5_000, "no leader");
    controller.abort();
    await done;
    expect(seen.map(describeLeader)).toEqual(["none", "e1", "e1 v2", "e2", "none"]);
    const revisions = seen.map((o) => o.revision);
    expect([...revisions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(revisions);
  });

  it("several changes in one watch batch are judged per revision: the leader yielded always existed then (etcd #18163)", async () => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    const name = uniqueName("batch");
    await using session = await createSession(transport, { ttl: 30 });
    const observer = createElection(session, name);
    const iterator = observer.observe()[Symbol.asyncIterator]();
    expect(describeLeader((await iterator.next()).value!)).toBe("none");
    // While the observer does not read, candidates come and go; the watch delivers them together.
    const a = await kv.put(`${name}/a`, "A");
    await kv.txn().then(op.put(`${name}/c`, "C"), op.put(`${name}/b`, "B")).commit(); // two candidates in one revision
    await kv.delete(`${name}/a`);
    const seen: string[] = [];
    for (;;) {
      const { value } = await iterator.next();
      seen.push(describeLeader(value!));
      if (value!.revision > a.revision + 1n) break;
    }
    await iterator.return?.();
    // A led (alone), then B (the oldest of the txn's two, by key: as leader() would say).
    expect(seen).toEqual(["A", "B"]);
    expect((await observer.leader()).text()).toBe("B");
    await kv.delete(`${name}/`, { prefix: true });
  });

  it("leader() fails election-no-leader when nobody leads", async () => {
    await using session = await createSession(connect(cluster.endpoints), { ttl: 30 });
    const election = createElection(session, uniqueName("empty"));
    const failure = await election.leader().then(() => undefined, (err: unknown) => err);
    expect(isEtcdError(failure, "election-no-leader")).toBe(true);
  });

  it("the leader's fencing token passes a guarded write only while it leads", async () => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    const name = uniqueName("fence");
    await using s1 = await createSession(transport, { ttl: 30 });
    await using s2 = await createSession(transport, { ttl: 30 });
    const e1 = createElection(s1, name);
    const e2 = createElection(s2, name);
    expect((await kv.txn().if(e1.isLeader()).then(op.put(`${name}-owner`, "nobody")).commit()).succeeded).toBe(false);
    const first = await e1.campaign("e1");
    expect((await kv.txn().if(e1.isLeader()).then(op.put(`${name}-owner`, "e1")).commit()).succeeded).toBe(true);
    const guard = e1.isLeader();
    const next = e2.campaign("e2");
    await createKV(transport).delete(e1.key); // e1 loses leadership without knowing (like a lease expiry)
    const second = await next;
    expect(second.revision).toBeGreaterThan(first.revision);
    expect((await kv.txn().if(guard).then(op.put(`${name}-owner`, "e1 stale")).commit()).succeeded).toBe(false);
    expect((await kv.txn().if(e2.isLeader()).then(op.put(`${name}-owner`, "e2")).commit()).succeeded).toBe(true);
    expect((await kv.get(`${name}-owner`))?.text()).toBe("e2");
    await e2.resign();
  });
});
