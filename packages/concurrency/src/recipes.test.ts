/**
 * The recipes against a real etcd: queue order under 4 producers and 4 consumers, the priority
 * queue, barrier release, a double barrier of 5, the RWMutex (readers together, writers alone,
 * and the session check Go lacks), and waitEvents.
 */
import { createKV } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, eventually, reasonOf, sleep, stillPending, uniqueName, within } from "./concurrency-test-env.test-helpers.js";
import {
  createBarrier,
  createDoubleBarrier,
  createPriorityQueue,
  createQueue,
  createRWMutex,
  createSession,
  waitEvents,
  type HeldLock,
  type QueueItem,
} from "./index.js";

describe("recipes (real etcd)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  it("queue: 4 producers and 4 consumers; every item once, claimed in FIFO order", async () => {
    const prefix = uniqueName("queue");
    const perProducer = 25;
    const total = 4 * perProducer;
    const consumed: QueueItem[][] = [[], [], [], []];
    let taken = 0;
    const controller = new AbortController();
    const consumers = consumed.map(async (mine) => {
      const queue = createQueue(connect(cluster.endpoints), prefix);
      while (taken < total) {
        const item = await queue.dequeue({ signal: controller.signal }).catch(() => undefined);
        if (item === undefined) return;
        mine.push(item);
        if (++taken === total) controller.abort();
      }
    });
    const producers = [0, 1, 2, 3].map(async (p) => {
      const queue = createQueue(connect(cluster.endpoints), prefix);
      for (let n = 0; n < perProducer; n++) await queue.enqueue(`p${p}-${n}`);
    });
    await Promise.all(producers);
    await Promise.all(consumers);
    const all = consumed.flat();
    expect(all.map((i) => i.kv.text()).sort()).toEqual([0, 1, 2, 3].flatMap((p) => Array.from({ length: perProducer }, (_, n) => `p${p}-${n}`)).sort());
    const byClaim = [...all].sort((a, b) => (a.claimRevision < b.claimRevision ? -1 : 1));
    const createdInClaimOrder = byClaim.map((i) => i.kv.createRevision);
    expect(createdInClaimOrder).toEqual([...createdInClaimOrder].sort((a, b) => (a < b ? -1 : 1)));
    for (let p = 0; p < 4; p++) {
      const mineInOrder = byClaim.map((i) => i.kv.text()).filter((t) => t.startsWith(`p${p}-`));
      expect(mineInOrder).toEqual(Array.from({ length: perProducer }, (_, n) => `p${p}-${n}`));
    }
    expect(consumed.filter((c) => c.length > 0).length).toBeGreaterThan(1);
    expect((await createKV(connect(cluster.endpoints)).getPrefix(`${prefix}/`, { countOnly: true })).count).toBe(0);
  });

  it("queue: dequeue blocks while empty, wakes on enqueue, and honours its deadline", async () => {
    const transport = connect(cluster.endpoints);
    const queue = createQueue(transport, uniqueName("blocking"));
    expect(await reasonOf(queue.dequeue({ timeoutMs: 200 }))).toBe("deadline-exceeded");
    const waiting = queue.dequeue({ timeoutMs: 10_000 });
    expect(await stillPending(waiting, 200)).toBe(true);
    await queue.enqueue("first");
    expect((await waiting).kv.text()).toBe("first");
  });

  it("priority queue: lowest priority number first, FIFO within a priority", async () => {
    const transport = connect(cluster.endpoints);
    const queue = createPriorityQueue(transport, uniqueName("pq"));
    await queue.enqueue("low-1", 10);
    await queue.enqueue("high-1", 1);
    await queue.enqueue("low-2", 10);
    await queue.enqueue("high-2", 1);
    await queue.enqueue("urgent", 0);
    const out: string[] = [];
    for (let i = 0; i < 5; i++) out.push((await queue.dequeue()).kv.text());
    expect(out).toEqual(["urgent", "high-1", "high-2", "low-1", "low-2"]);
    const waiting = queue.dequeue({ timeoutMs: 10_000 });
    await queue.enqueue("late", 7);
    expect((await waiting).kv.text()).toBe("late");
    expect(await reasonOf(queue.enqueue("x", 70_000))).toBe("invalid-argument");
  });

  it("barrier: waiters block while it is held and are all released together", async () => {
    const transport = connect(cluster.endpoints);
    const key = uniqueName("barrier");
    const barrier = createBarrier(transport, key);
    await barrier.wait(); // not held: returns at once
    expect(await barrier.hold()).toBe(true);
    expect(await barrier.hold()).toBe(false);
    const waiters = [0, 1, 2].map(() => createBarrier(connect(cluster.endpoints), key).wait({ timeoutMs: 10_000 }));
    expect(await stillPending(Promise.race(waiters), 300)).toBe(true);
    expect(await barrier.release()).toBe(true);
    await Promise.all(waiters);
    expect(await barrier.release()).toBe(false);
    expect(await reasonOf(barrier.wait({ timeoutMs: 0 }))).toBe("deadline-exceeded");
  });

  it("double barrier of 5: enter waits for all five, leave waits for all five, a sixth is refused", async () => {
    const key = uniqueName("double");
    const sessions = await Promise.all([0, 1, 2, 3, 4, 5].map(() => createSession(connect(cluster.endpoints), { ttl: 30 })));
    const barriers = sessions.map((s) => createDoubleBarrier(s, key, 5));
    const entering = barriers.slice(0, 4).map((b) => b.enter({ timeoutMs: 20_000 }));
    expect(await stillPending(Promise.race(entering), 300)).toBe(true);
    const fifth = barriers[4]!.enter({ timeoutMs: 20_000 });
    await Promise.all([...entering, fifth]);
    expect(await reasonOf(barriers[5]!.enter({ timeoutMs: 5_000 }))).toBe("barrier-full");
    const leaving = barriers.slice(0, 4).map((b) => b.leave({ timeoutMs: 20_000 }));
    expect(await stillPending(Promise.race(leaving), 300)).toBe(true);
    await barriers[4]!.leave({ timeoutMs: 20_000 });
    await Promise.all(leaving);
    const kv = createKV(connect(cluster.endpoints));
    expect((await kv.getPrefix(`${key}/`, { countOnly: true })).count).toBe(0);
    await Promise.all(sessions.map((s) => s.close()));
  });

  it("RWMutex: readers hold together, a writer waits for them and excludes readers queued after it", async () => {
    const name = uniqueName("rw");
    const sessions = await Promise.all([0, 1, 2, 3, 4].map(() => createSession(connect(cluster.endpoints), { ttl: 30 })));
    const rws = sessions.map((s) => createRWMutex(s, name));
    const readers = await Promise.all(rws.slice(0, 3).map((rw) => rw.readLock({ timeoutMs: 5_000 })));
    const writer = rws[3]!.lock({ timeoutMs: 20_000 });
    expect(await stillPending(writer, 300)).toBe(true);
    const lateReader = rws[4]!.readLock({ timeoutMs: 20_000 });
    expect(await stillPending(lateReader, 300)).toBe(true); // queued behind the writer
    for (const held of readers) await held.unlock();
    const written = await writer;
    expect(await stillPending(lateReader, 300)).toBe(true);
    await written.unlock();
    const read = await lateReader;
    await read.unlock();
    await Promise.all(sessions.map((s) => s.close()));
  });

  it("RWMutex: a waiting writer whose lease was revoked fails session-expired; the next writer gets the lock alone (etcd #16221)", async () => {
    const name = uniqueName("rw-16221");
    const transport = connect(cluster.endpoints);
    const [s1, s2, s3] = await Promise.all([0, 1, 2].map(() => createSession(transport, { ttl: 30 })));
    const m1 = await createRWMutex(s1!, name).lock();
    const m2 = reasonOf(createRWMutex(s2!, name).lock());
    await eventually(async () => (await createKV(transport).getPrefix(`${name}/`, { countOnly: true })).count === 2, 5_000, "m2 queued");
    const m3 = createRWMutex(s3!, name).lock();
    await eventually(async () => (await createKV(transport).getPrefix(`${name}/`, { countOnly: true })).count === 3, 5_000, "m3 queued");
    await createLease(connect(cluster.endpoints)).revoke(s2!.leaseId); // m2's session expires while it waits
    await m1.unlock();
    expect(await within(m2, 5_000)).toBe("session-expired");
    const held3: HeldLock = await m3;
    expect((await createKV(transport).getPrefix(`${name}/`, { keysOnly: true })).kvs.map((kv) => kv.keyText())).toEqual([held3.key]);
    await held3.unlock();
    await Promise.all([s1!, s3!].map((s) => s.close()));
  });

  it("waitEvents: waits for a sequence of event types from a revision, never missing an earlier one", async () => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    const key = uniqueName("events");
    const { revision } = await kv.put(`${key}-before`, "x");
    await kv.put(key, "1"); // before the wait starts, after its start revision
    const waiting = waitEvents(transport, key, { startRevision: revision + 1n, events: ["put", "delete"], timeoutMs: 10_000 });
    await sleep(50);
    await kv.put(key, "2");
    await kv.delete(key);
    const event = await waiting;
    expect(event.type).toBe("delete");
    expect(await reasonOf(waitEvents(transport, key, { startRevision: 0n, events: ["nope" as never] }))).toBe("invalid-argument");
    // Its deadline ends a wait that sees nothing.
    expect(await within(reasonOf(waitEvents(transport, `${key}-quiet`, { startRevision: revision, events: ["put"], timeoutMs: 300 })), 10_000)).toBe("deadline-exceeded");
  });
});
