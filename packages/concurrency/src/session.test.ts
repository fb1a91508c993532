/**
 * Session against a real etcd: keepalive, loss by the local deadline when etcd cannot be reached,
 * close (revokes: keys go), orphan (does not), adopting a lease, and bad input before any I/O.
 */
import { createKV } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { createRecordingTransport, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, eventually, reasonOf, sleep, uniqueName, within } from "./concurrency-test-env.test-helpers.js";
import { createElection, createMutex, createSession, DEFAULT_SESSION_TTL } from "./index.js";

describe("Session (real etcd)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
  });
  afterEach(() => {
    for (const member of cluster.members) member.proxy!.setMode("pass");
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  it("grants a lease of the default TTL (60 s) and keeps it alive past its TTL", async () => {
    const transport = connect(cluster.endpoints);
    await using session = await createSession(transport);
    expect(session.ttl).toBe(DEFAULT_SESSION_TTL);
    await using short = await createSession(transport, { ttl: 2 });
    await sleep(3_000);
    expect(short.loss).toBeUndefined();
    expect((await createLease(transport).timeToLive(short.leaseId)).expired).toBe(false);
  });

  it("is lost by its local deadline (last renewal + TTL) when etcd cannot be reached, and ends waits with session-expired", async () => {
    const member = cluster.members[0]!;
    const direct = connect(cluster.clientUrls);
    const session = await createSession(connect([member.proxy!.url]), { ttl: 2 });
    await using holder = await createSession(direct, { ttl: 30 });
    const name = uniqueName("blackholed");
    const held = await createMutex(holder, name).lock();
    const waiting = reasonOf(createMutex(session, name).lock());
    await eventually(async () => (await createKV(direct).getPrefix(`${name}/`, { countOnly: true })).count === 2, 5_000, "the waiter queued");
    member.proxy!.setMode("blackhole");
    const loss = await within(session.lost, 2_000 + 5_000); // TTL + generous slack
    expect(loss).not.toBe("still pending");
    expect((loss as { reason: string }).reason).toBe("deadline");
    expect(session.signal.aborted).toBe(true);
    expect(await within(waiting, 1_000)).toBe("session-expired");
    await held.unlock();
  });

  it("remainingMs() is the time to the lease's local deadline (at most the TTL), and 0 once the session ended", async () => {
    const transport = connect(cluster.endpoints);
    const session = await createSession(transport, { ttl: 30 });
    const first = session.remainingMs();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(30_000);
    await sleep(50);
    expect(session.remainingMs()).toBeLessThan(first); // counts down between renewals
    await session.close();
    expect(session.remainingMs()).toBe(0);
    const orphaned = await createSession(transport, { ttl: 30 });
    orphaned.orphan();
    expect(orphaned.remainingMs()).toBe(0);
  });

  it("close() revokes the lease: its keys go at once, the session is lost with 'closed'", async () => {
    const transport = connect(cluster.endpoints);
    const session = await createSession(transport, { ttl: 30 });
    const election = createElection(session, uniqueName("closing"));
    await election.campaign("me");
    await session.close();
    await session.close(); // idempotent
    expect(session.loss?.reason).toBe("closed");
    expect((await createKV(transport).get(election.key)).kv).toBeUndefined();
    expect((await createLease(transport).timeToLive(session.leaseId)).expired).toBe(true);
    expect(await reasonOf(createMutex(session, uniqueName("after-close")).lock())).toBe("session-expired");
  });

  it("orphan() stops renewing without revoking: the session ends now, its keys when the lease expires", async () => {
    const transport = connect(cluster.endpoints);
    const session = await createSession(transport, { ttl: 2 });
    const held = await createMutex(session, uniqueName("orphan")).lock();
    session.orphan();
    expect(session.loss?.reason).toBe("orphaned");
    expect((await createKV(transport).get(held.key)).kv).toBeDefined();
    await eventually(async () => (await createKV(transport).get(held.key)).kv === undefined, 2_000 + 5_000, "the key to expire with the lease");
  });

  it("adopts an existing lease (its keys are found again); a lease that is gone fails lease-not-found", async () => {
    const transport = connect(cluster.endpoints);
    const first = await createSession(transport, { ttl: 30 });
    const name = uniqueName("adopt");
    const held = await createMutex(first, name).lock();
    first.orphan(); // a process that stops without revoking
    await using second = await createSession(transport, { lease: first.leaseId });
    const again = await createMutex(second, name).lock(); // its key is there: it holds the lock at once
    expect(again.revision).toBe(held.revision);
    await again.unlock();
    const gone = await createLease(transport).grant(5);
    await gone.revoke();
    expect(await reasonOf(createSession(transport, { lease: gone.id }))).toBe("lease-not-found");
  });

  it("rejects bad input before any I/O", async () => {
    const recording = createRecordingTransport();
    expect(await reasonOf(createSession(recording, { ttl: 0 }))).toBe("invalid-argument");
    expect(await reasonOf(createSession(recording, { ttl: 1.5 }))).toBe("invalid-argument");
    expect(await reasonOf(createSession(recording, { lease: -1n }))).toBe("invalid-argument");
    expect(await reasonOf(createSession(recording, { lease: 5 as never }))).toBe("invalid-argument");
    expect(await reasonOf(createSession(recording, { timeoutMs: "1" as never }))).toBe("invalid-argument");
    expect(await reasonOf(createSession(recording, { timeoutMs: 0 }))).toBe("deadline-exceeded");
    expect(await reasonOf(createSession({} as never))).toBe("invalid-argument");
    expect(recording.calls).toEqual([]);
    await using session = await createSession(connect(cluster.endpoints), { ttl: 30 });
    expect(() => createMutex(session, "")).toThrow(/non-empty string/);
    expect(() => createMutex({} as never, "x")).toThrow(/Session/);
    expect(() => createElection(session, 42 as never)).toThrow(/non-empty string/);
    const mutex = createMutex(session, uniqueName("bad-options"));
    expect(await reasonOf(mutex.lock({ timeoutMs: Number.NaN }))).toBe("invalid-argument");
    expect(await reasonOf(mutex.lock({ signal: "no" as never }))).toBe("invalid-argument");
    expect(await reasonOf(mutex.lock([] as never))).toBe("invalid-argument");
    expect(await reasonOf(createElection(session, uniqueName("e")).campaign(42 as never))).toBe("invalid-argument");
    expect(await createKV(connect(cluster.endpoints)).getPrefix(mutex.name, { countOnly: true })).toMatchObject({ count: 0 });
  });
});
