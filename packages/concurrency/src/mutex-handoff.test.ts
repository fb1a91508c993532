/**
 * The hand-off path of a Mutex against a real etcd: what a waiter does between its predecessor's
 * delete event and its lock() resolving, and the cases that path must not get wrong.
 */
import { createKV, op } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { createWatch } from "@etcdkit/watch";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, eventually, reasonOf, sleep, stillPending, uniqueName, within } from "./concurrency-test-env.test-helpers.js";
import { createMutex, createSession } from "./index.js";
import { recordWire } from "./wire-recorder.test-helpers.js";

describe("Mutex hand-off (real etcd)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  /** Waits until nothing new shows up in `log` for 200 ms (a waiter has settled in). */
  async function settled(log: readonly string[]): Promise<void> {
    for (let before = log.length; ; ) {
      await sleep(200);
      if (log.length === before) return;
      before = log.length;
    }
  }

  it("after its predecessor's delete event, a waiter sends one read pinned to the delete's revision and nothing else before its lock resolves", async () => {
    const name = uniqueName("handoff-wire");
    const transport = connect(cluster.endpoints);
    await using holder = await createSession(transport, { ttl: 30 });
    const wire = recordWire(cluster.endpoints);
    await using waiterTransport = wire.transport;
    await using waiter = await createSession(waiterTransport, { ttl: 30 });
    // Another watch on the waiter's transport keeps its watch stream open, so cancels go out as messages.
    await using other = createWatch(waiterTransport).watch(`${name}-elsewhere`);
    await other.ready;
    const held = await createMutex(holder, name).lock();
    const waiting = createMutex(waiter, name).lock({ timeoutMs: 20_000 }).then((h) => (wire.mark("acquired"), h));
    await eventually(async () => wire.log.some((l) => l.startsWith(`watch-create ${held.key}`)), 5_000, "the waiter's watch");
    await settled(wire.log);
    await held.unlock();
    const heldByWaiter = await waiting;
    const from = wire.log.findIndex((l) => l.startsWith(`event delete ${held.key} `));
    const deletedAt = wire.log[from]!.split("@")[1]!;
    const to = wire.log.indexOf("acquired");
    expect(from).toBeGreaterThanOrEqual(0);
    expect(wire.log.slice(from + 1, to).filter((l) => !l.startsWith("LeaseKeepAlive"))).toEqual([`Range @${deletedAt}`]);
    expect(heldByWaiter.acquiredAt).toBe(BigInt(deletedAt));
    // Its watches are canceled once it holds the lock.
    await eventually(() => wire.log.slice(to).filter((l) => l === "watch-cancel").length === 2, 5_000, "both watches canceled");
    await heldByWaiter.unlock();
  });

  it("a predecessor and the waiter's own key deleted in one revision: the waiter fails session-expired and never holds", async () => {
    const name = uniqueName("both-deleted");
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    await using holder = await createSession(transport, { ttl: 30 });
    await using waiter = await createSession(transport, { ttl: 30 });
    const held = await createMutex(holder, name).lock();
    const mutex = createMutex(waiter, name);
    const waiting = reasonOf(mutex.lock({ timeoutMs: 20_000 }));
    await eventually(async () => (await kv.get(mutex.key)) !== undefined, 5_000, "the waiter's key");
    await sleep(200); // its watches are registered
    await kv.txn().then(op.delete(held.key), op.delete(mutex.key)).commit();
    expect(await within(waiting, 10_000)).toBe("session-expired");
    expect(mutex.held).toBeUndefined();
  });

  it("a prefix delete of the whole queue: the waiter fails session-expired and never holds", async () => {
    const name = uniqueName("queue-wiped");
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    await using holder = await createSession(transport, { ttl: 30 });
    await using waiter = await createSession(transport, { ttl: 30 });
    await createMutex(holder, name).lock();
    const mutex = createMutex(waiter, name);
    const waiting = reasonOf(mutex.lock({ timeoutMs: 20_000 }));
    await eventually(async () => (await kv.get(mutex.key)) !== undefined, 5_000, "the waiter's key");
    await sleep(200); // its watches are registered
    await kv.delete(`${name}/`, { prefix: true });
    expect(await within(waiting, 10_000)).toBe("session-expired");
  });

  it("a waiter behind two older keys whose predecessor leaves waits for the older one, then takes over at its release", async () => {
    const name = uniqueName("second-predecessor");
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    await using a = await createSession(transport, { ttl: 30 });
    const b = await createSession(transport, { ttl: 30 });
    const wire = recordWire(cluster.endpoints);
    await using cTransport = wire.transport;
    await using c = await createSession(cTransport, { ttl: 30 });
    const heldA = await createMutex(a, name).lock();
    const lockB = reasonOf(createMutex(b, name).lock());
    await eventually(async () => (await kv.getPrefix(`${name}/`, { countOnly: true })).count === 2, 5_000, "B queued");
    const lockC = createMutex(c, name).lock({ timeoutMs: 20_000 }).then((h) => (wire.mark("acquired"), h));
    await eventually(async () => (await kv.getPrefix(`${name}/`, { countOnly: true })).count === 3, 5_000, "C queued");
    await settled(wire.log);
    await b.close(); // C's predecessor leaves; A still holds
    expect(await lockB).toBe("session-expired");
    await eventually(() => wire.log.some((l) => l.startsWith(`watch-create ${heldA.key}`)), 5_000, "C watching A");
    await settled(wire.log);
    expect(wire.log).not.toContain("acquired");
    await heldA.unlock();
    const heldC = await lockC;
    const from = wire.log.findIndex((l) => l.startsWith(`event delete ${heldA.key} `));
    expect(wire.log.slice(from + 1, wire.log.indexOf("acquired")).filter((l) => !l.startsWith("LeaseKeepAlive"))).toHaveLength(1);
    expect(heldC.revision).toBeGreaterThan(heldA.revision);
    await heldC.unlock();
  });

  it("a session lost while waiting fails lock() at once, and the waiter's watches are still canceled", async () => {
    const name = uniqueName("lost-while-waiting");
    const transport = connect(cluster.endpoints);
    await using holder = await createSession(transport, { ttl: 30 });
    const wire = recordWire(cluster.endpoints);
    await using waiterTransport = wire.transport;
    const waiter = await createSession(waiterTransport, { ttl: 30 });
    await using other = createWatch(waiterTransport).watch(`${name}-elsewhere`); // keeps the stream open
    await other.ready;
    const held = await createMutex(holder, name).lock();
    const waiting = reasonOf(createMutex(waiter, name).lock());
    await eventually(() => wire.log.some((l) => l.startsWith(`watch-create ${held.key}`)), 5_000, "the waiter's watch");
    await settled(wire.log);
    const before = wire.log.length;
    waiter.orphan();
    expect(await within(waiting, 5_000)).toBe("session-expired");
    await eventually(() => wire.log.slice(before).filter((l) => l === "watch-cancel").length === 2, 5_000, "both watches canceled");
    expect(held.released).toBe(false);
    await held.unlock();
  });

  it("an own key created in one txn with another key of the queue (an adopted lease): the read still tells its predecessor from the key that ties with it", async () => {
    const name = uniqueName("tie");
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    await using holder = await createSession(transport, { ttl: 30 });
    const held = await createMutex(holder, name).lock();
    const lease = await createLease(transport).grant(30);
    const own = `${name}/${lease.id.toString(16)}`;
    // Both keys get the same create revision; etcd may list either first.
    await kv.txn().then(op.put(own, "", { lease: lease.id }), op.put(`${name}/0-tie`, ""), op.put(`${name}/zz-tie`, "")).commit();
    await using adopted = await createSession(transport, { lease: lease.id });
    const waiting = createMutex(adopted, name).lock({ timeoutMs: 20_000 });
    expect(await stillPending(waiting, 500)).toBe(true); // the older holder, not a tying key, is its predecessor
    await held.unlock();
    const heldByAdopted = await waiting;
    expect(heldByAdopted.key).toBe(own);
    expect(heldByAdopted.revision).toBeLessThan(heldByAdopted.acquiredAt);
    await heldByAdopted.unlock();
  });
});
