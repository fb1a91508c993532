/**
 * Mutex against a real etcd: queueing, the fixes Go lacks (each test names the bug it guards
 * against), deadlines and cancellation.
 */
import { createKV, op } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { createSpyTransport, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError } from "@etcdkit/transport";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, eventually, reasonOf, sleep, stillPending, uniqueName, within } from "./concurrency-test-env.test-helpers.js";
import { createMutex, createSession, type HeldLock } from "./index.js";
import { WaitScope } from "./wait-scope.js";
import { waitForTurn } from "./wait-turn.js";

describe("Mutex (real etcd)", () => {
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

  it("uncontended: lock is one Txn round trip, unlock another", async () => {
    const spy = createSpyTransport(connect(cluster.endpoints));
    await using session = await createSession(spy, { ttl: 10 });
    const mutex = createMutex(session, uniqueName("one-rtt"));
    spy.calls.length = 0;
    const held = await mutex.lock();
    expect(spy.calls.map((c) => c.method)).toEqual(["Txn"]);
    expect(held.key).toBe(mutex.key);
    expect(mutex.key).toBe(`${mutex.name}/${session.leaseId.toString(16)}`);
    await held.unlock();
    expect(spy.calls.map((c) => c.method)).toEqual(["Txn", "Txn"]);
  });

  it("waiters are served in queue order, each woken by its predecessor only (no herd)", async () => {
    const name = uniqueName("order");
    const holderSession = await createSession(connect(cluster.endpoints), { ttl: 10 });
    const first = await createMutex(holderSession, name).lock();
    const spies = [0, 1, 2, 3].map(() => createSpyTransport(connect(cluster.endpoints)));
    const sessions = await Promise.all(spies.map((spy) => createSession(spy, { ttl: 10 })));
    const order: number[] = [];
    const helds: Promise<HeldLock>[] = [];
    for (const [i, session] of sessions.entries()) {
      // Queue one after the other, so the queue order is known.
      helds.push(createMutex(session, name).lock().then((held) => (order.push(i), held)));
      await eventually(async () => (await createKV(connect(cluster.endpoints)).getPrefix(`${name}/`, { countOnly: true })).count === i + 2);
    }
    // Let every waiter finish settling in (its watches, and a read when the queue moved meanwhile).
    const counts = (): string => spies.map((s) => s.calls.length).join(",");
    for (let before = counts(); ; ) {
      await sleep(200);
      if (counts() === before) break;
      before = counts();
    }
    for (const spy of spies) spy.calls.length = 0;
    await first.unlock();
    const held0 = await helds[0]!;
    await sleep(300); // let any herd show up
    expect(spies.map((s) => s.calls.filter((c) => c.method !== "LeaseKeepAlive").length)).toEqual([1, 0, 0, 0]);
    let previous = held0;
    for (const i of [1, 2, 3]) {
      await previous.unlock();
      previous = await helds[i]!;
    }
    await previous.unlock();
    expect(order).toEqual([0, 1, 2, 3]);
    await Promise.all([holderSession, ...sessions].map((s) => s.close()));
  });

  it("a release between a waiter's read and the start of its watch is not missed", async () => {
    const name = uniqueName("in-between");
    const transport = connect(cluster.endpoints);
    await using holder = await createSession(transport, { ttl: 10 });
    await using waiter = await createSession(transport, { ttl: 10 });
    const held = await createMutex(holder, name).lock();
    const kv = createKV(transport);
    const key = `${name}/${waiter.leaseId.toString(16)}`;
    const put = await kv.put(key, "", { lease: waiter.leaseId });
    const predecessor = (await kv.get(held.key))!;
    await held.unlock(); // the release happens after the read and before the wait starts
    using scope = WaitScope.open({ timeoutMs: 10_000 }, "test", waiter);
    const place = { kv, watcher: waiter.watcher, queue: `${name}/`, key, revision: put.revision };
    const heldAt = await waitForTurn(place, scope, { revision: put.revision, predecessor });
    expect(heldAt).toBeGreaterThan(put.revision);
  });

  it("a waiter that reads the queue at its predecessor's delete revision watches from that revision, not from the newer header one", async () => {
    // B's key and then A's are deleted in consecutive revisions while C's traffic is delayed: C wakes
    // on B's delete at D, reads the queue at D (its answer's header already says D+1) and must watch
    // A from D+1, else it misses A's delete at D+1 and waits forever.
    const name = uniqueName("read-at-delete");
    const member = cluster.members[0]!;
    const direct = connect(cluster.clientUrls);
    const kv = createKV(direct);
    await using a = await createSession(direct, { ttl: 30 });
    await using b = await createSession(direct, { ttl: 30 });
    await using c = await createSession(connect([member.proxy!.url]), { ttl: 30 });
    const heldA = await createMutex(a, name).lock();
    const mutexB = createMutex(b, name);
    const lockB = reasonOf(mutexB.lock());
    await eventually(async () => (await kv.get(mutexB.key)) !== undefined, 5_000, "B queued");
    const lockC = createMutex(c, name).lock({ timeoutMs: 20_000 });
    await eventually(async () => (await kv.getPrefix(`${name}/`, { countOnly: true })).count === 3, 5_000, "C queued");
    await sleep(200); // C's watches are registered
    member.proxy!.setMode("delay", { delayMs: 300 });
    await kv.delete(mutexB.key);
    await kv.delete(heldA.key);
    expect(await lockB).toBe("session-expired");
    expect(await within(lockC.then((held) => held.unlock()), 10_000)).not.toBe("still pending");
  });

  it("a waiter whose key is deleted fails session-expired at once, while the holder still holds (etcd #19597)", async () => {
    const name = uniqueName("own-key-deleted");
    const transport = connect(cluster.endpoints);
    await using holder = await createSession(transport, { ttl: 10 });
    await using waiter = await createSession(transport, { ttl: 10 });
    const held = await createMutex(holder, name).lock();
    const mutex = createMutex(waiter, name);
    const waiting = reasonOf(mutex.lock());
    await eventually(async () => (await createKV(transport).get(mutex.key)) !== undefined, 5_000, "the waiter's key");
    await createKV(transport).delete(mutex.key);
    expect(await within(waiting, 5_000)).toBe("session-expired");
    expect(held.released).toBe(false);
    expect(await createKV(transport).get(held.key)).toBeDefined();
    await held.unlock();
  });

  it("after waiting, the own key is re-checked (etcd #11456): a waiter whose lease was revoked never holds the lock", async () => {
    const name = uniqueName("revoked-waiter");
    const transport = connect(cluster.endpoints);
    await using holder = await createSession(transport, { ttl: 30 });
    await using waiter = await createSession(transport, { ttl: 30 });
    await using third = await createSession(transport, { ttl: 30 });
    const held = await createMutex(holder, name).lock();
    const victim = createMutex(waiter, name);
    const victimLock = reasonOf(victim.lock());
    await eventually(async () => (await createKV(transport).get(victim.key)) !== undefined, 5_000, "the waiter's key");
    const thirdLock = createMutex(third, name).lock();
    await eventually(async () => (await createKV(transport).getPrefix(`${name}/`, { countOnly: true })).count === 3, 5_000, "three keys");
    // Another client revokes the waiter's lease: etcd deletes its key; its own keepalive has not noticed yet.
    await createLease(connect(cluster.endpoints)).revoke(waiter.leaseId);
    await held.unlock();
    expect(await victimLock).toBe("session-expired");
    const thirdHeld = await thirdLock;
    expect(thirdHeld.revision).toBeGreaterThan(held.revision);
    await thirdHeld.unlock();
  });

  it("a waiter whose predecessor leaves keeps waiting while an older key still holds (etcd3 #176)", async () => {
    const name = uniqueName("middle-leaves");
    const transport = connect(cluster.endpoints);
    await using a = await createSession(transport, { ttl: 30 });
    const b = await createSession(transport, { ttl: 30 });
    await using c = await createSession(transport, { ttl: 30 });
    const heldA = await createMutex(a, name).lock();
    const mutexB = createMutex(b, name);
    const lockB = reasonOf(mutexB.lock());
    await eventually(async () => (await createKV(transport).get(mutexB.key)) !== undefined, 5_000, "B's key");
    const lockC = createMutex(c, name).lock();
    await eventually(async () => (await createKV(transport).getPrefix(`${name}/`, { countOnly: true })).count === 3, 5_000, "three keys");
    await b.close(); // B leaves the queue: C's immediate predecessor is gone, A still holds
    expect(await lockB).toBe("session-expired");
    expect(await stillPending(lockC, 1_000)).toBe(true);
    await heldA.unlock();
    const heldC = await lockC;
    expect(heldC.revision).toBeGreaterThan(heldA.revision);
    await heldC.unlock();
  });

  it("unlock deletes only its own incarnation: a retried unlock keeps a newer lock of the same lease (etcd #22082)", async () => {
    const name = uniqueName("stale-unlock");
    const member = cluster.members[0]!;
    const proxied = connect([member.proxy!.url]);
    const direct = connect(cluster.clientUrls); // not through the proxy
    const first = await createSession(proxied, { ttl: 60 });
    // The same lease adopted elsewhere (a restarted process reclaiming its session).
    const second = await createSession(direct, { lease: first.leaseId });
    const held1 = await createMutex(first, name).lock();
    member.proxy!.setMode("drop-responses"); // the delete reaches etcd, its answer does not come back
    expect(await reasonOf(held1.unlock({ timeoutMs: 1_000 }))).toBe("deadline-exceeded");
    member.proxy!.setMode("reset"); // the answer is lost with the connection; the unlock keeps retrying
    expect(await createKV(direct).get(held1.key)).toBeUndefined(); // it was applied
    const held2 = await createMutex(second, name).lock(); // same key, a newer incarnation
    expect(held2.key).toBe(held1.key);
    expect(held2.revision).toBeGreaterThan(held1.revision);
    member.proxy!.setMode("pass");
    expect(await held1.unlock({ timeoutMs: 20_000 })).toBe(false); // the retried delete found its incarnation gone
    expect((await createKV(direct).get(held2.key))?.createRevision).toBe(held2.revision);
    expect(await held2.unlock()).toBe(true);
    await second.close();
    first.orphan();
  });

  it("a failed unlock keeps retrying in the background, so the lock passes on once etcd answers again", async () => {
    const name = uniqueName("unlock-retry");
    const member = cluster.members[0]!;
    const proxied = connect([member.proxy!.url]);
    const direct = connect(cluster.clientUrls); // not through the proxy
    await using holder = await createSession(proxied, { ttl: 60 });
    await using next = await createSession(direct, { ttl: 60 });
    const held = await createMutex(holder, name).lock();
    const waiting = createMutex(next, name).lock({ timeoutMs: 30_000 });
    member.proxy!.setMode("blackhole");
    expect(await reasonOf(held.unlock({ timeoutMs: 500 }))).toBe("deadline-exceeded");
    expect(held.released).toBe(false);
    expect(await stillPending(waiting, 300)).toBe(true);
    member.proxy!.setMode("reset");
    await sleep(100);
    member.proxy!.setMode("pass");
    await (await waiting).unlock(); // the background retry deleted the key
    // The holder's release settles once an answer comes back (the delete may have been applied by
    // an attempt whose answer was lost: the next, fenced, attempt then finds the key gone).
    await eventually(() => held.released, 10_000, "the release to settle");
    expect(await held.unlock()).toBeTypeOf("boolean");
  });

  it("two lock() calls of one session on one mutex take turns instead of sharing the key", async () => {
    const transport = connect(cluster.endpoints);
    await using session = await createSession(transport, { ttl: 10 });
    const name = uniqueName("same-session");
    const held1 = await createMutex(session, name).lock();
    const second = createMutex(session, name).lock();
    expect(await stillPending(second, 300)).toBe(true);
    expect(await reasonOf(createMutex(session, name).tryLock())).toBe("locked");
    await held1.unlock();
    const held2 = await second;
    expect(held2.revision).toBeGreaterThan(held1.revision);
    await held2.unlock();
  });

  it("a lost session ends a waiting lock() at once with session-expired", async () => {
    const transport = connect(cluster.endpoints);
    await using holder = await createSession(transport, { ttl: 30 });
    const waiter = await createSession(transport, { ttl: 30 });
    const name = uniqueName("lost-session");
    const held = await createMutex(holder, name).lock();
    const mutex = createMutex(waiter, name);
    const waiting = reasonOf(mutex.lock());
    await eventually(async () => (await createKV(transport).get(mutex.key)) !== undefined, 5_000, "the waiter's key");
    waiter.orphan();
    expect(await within(waiting, 5_000)).toBe("session-expired");
    expect(held.released).toBe(false);
    expect(await reasonOf(mutex.lock())).toBe("session-expired"); // and at once on a lost session
    await held.unlock();
  });

  it("timeoutMs bounds the wait; the abandoned key is removed, so the lock passes on", async () => {
    const transport = connect(cluster.endpoints);
    await using holder = await createSession(transport, { ttl: 30 });
    await using quitter = await createSession(transport, { ttl: 30 });
    await using next = await createSession(transport, { ttl: 30 });
    const name = uniqueName("timeout");
    const held = await createMutex(holder, name).lock();
    const mutex = createMutex(quitter, name);
    const started = performance.now();
    const failure = await mutex.lock({ timeoutMs: 300 }).then(() => undefined, (err: unknown) => err);
    expect(isEtcdError(failure, "deadline-exceeded")).toBe(true);
    expect(performance.now() - started).toBeLessThan(300 + 5_000); // settled by its deadline (+ generous slack)
    await eventually(async () => (await createKV(transport).get(mutex.key)) === undefined, 10_000, "the abandoned key to go");
    const nextLock = createMutex(next, name).lock();
    await held.unlock();
    await (await nextLock).unlock();
  });

  it("signal cancels a waiting lock() with canceled; an aborted signal fails before any I/O", async () => {
    const transport = connect(cluster.endpoints);
    await using holder = await createSession(transport, { ttl: 30 });
    await using waiter = await createSession(transport, { ttl: 30 });
    const name = uniqueName("cancel");
    const held = await createMutex(holder, name).lock();
    const controller = new AbortController();
    const waiting = reasonOf(createMutex(waiter, name).lock({ signal: controller.signal }));
    await sleep(100);
    controller.abort();
    expect(await waiting).toBe("canceled");
    expect(await reasonOf(createMutex(waiter, name).lock({ signal: controller.signal }))).toBe("canceled");
    expect(await reasonOf(createMutex(waiter, name).lock({ timeoutMs: 0 }))).toBe("deadline-exceeded");
    await held.unlock();
  });

  it("isOwner guards a write: it applies while held, and never after the lock passed on", async () => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    await using s1 = await createSession(transport, { ttl: 30 });
    await using s2 = await createSession(transport, { ttl: 30 });
    const name = uniqueName("guard");
    const m1 = createMutex(s1, name);
    const held = await m1.lock();
    const resource = `${name}-resource`;
    expect((await kv.txn().if(held.isOwner()).then(op.put(resource, "s1")).commit()).succeeded).toBe(true);
    expect((await kv.txn().if(m1.isOwner()).then(op.put(resource, "s1")).commit()).succeeded).toBe(true);
    await kv.delete(held.key); // the lock is lost behind the holder's back (as a lease expiry would)
    const held2 = await createMutex(s2, name).lock();
    expect((await kv.txn().if(held.isOwner()).then(op.put(resource, "stale")).commit()).succeeded).toBe(false);
    expect((await kv.txn().if(held2.isOwner()).then(op.put(resource, "s2")).commit()).succeeded).toBe(true);
    expect((await kv.get(resource))?.text()).toBe("s2");
    expect(await held.unlock()).toBe(false);
    expect((await kv.txn().if(m1.isOwner()).then(op.put(resource, "stale")).commit()).succeeded).toBe(false);
    await held2.unlock();
  });
});
