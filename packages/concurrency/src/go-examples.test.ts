/**
 * Go's concurrency examples (client/v3/concurrency/example_*_test.go), ported and run against a
 * real etcd: the same steps, printing the same lines.
 */
import { createKV } from "@etcdkit/kv";
import { isEtcdError } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, eventually, stillPending, uniqueName } from "./concurrency-test-env.test-helpers.js";
import { createElection, createMutex, createSession, runSTM, type Election } from "./index.js";

describe("Go's concurrency examples, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  it("ExampleMutex_TryLock", async () => {
    const transport = connect(cluster.endpoints);
    const out: string[] = [];
    const name = uniqueName("my-lock");
    await using s1 = await createSession(transport);
    const m1 = createMutex(s1, name);
    await using s2 = await createSession(transport);
    const m2 = createMutex(s2, name);

    const held1 = await m1.lock();
    out.push("acquired lock for s1");
    try {
      await m2.tryLock();
      out.push("should not acquire lock");
    } catch (err) {
      if (isEtcdError(err, "locked")) out.push("cannot acquire lock for s2, as already locked in another session");
    }
    await held1.unlock();
    out.push("released lock for s1");
    await m2.tryLock();
    out.push("acquired lock for s2");
    expect(out).toEqual([
      "acquired lock for s1",
      "cannot acquire lock for s2, as already locked in another session",
      "released lock for s1",
      "acquired lock for s2",
    ]);
    // The failed tryLock left no key behind: only s2's key is in the queue.
    const keys = await createKV(transport).getPrefix(`${name}/`, { keysOnly: true });
    expect(keys.kvs.map((kv) => kv.keyText())).toEqual([m2.key]);
  });

  it("ExampleMutex_Lock", async () => {
    const transport = connect(cluster.endpoints);
    const out: string[] = [];
    const name = uniqueName("my-lock");
    await using s1 = await createSession(transport);
    const m1 = createMutex(s1, name);
    await using s2 = await createSession(transport);
    const m2 = createMutex(s2, name);

    const held1 = await m1.lock();
    out.push("acquired lock for s1");
    const m2Locked = m2.lock();
    // s2 is in line behind s1 (its key exists) and waits.
    await eventually(async () => (await createKV(transport).getPrefix(`${name}/`, { countOnly: true })).count === 2);
    expect(await stillPending(m2Locked, 100)).toBe(true);
    await held1.unlock();
    out.push("released lock for s1");
    // As in Go's example, the line is printed once both are done: s2's watch may see the delete
    // before s1's unlock call returns.
    const held2 = await m2Locked;
    out.push("acquired lock for s2");
    expect(out).toEqual(["acquired lock for s1", "released lock for s1", "acquired lock for s2"]);
    expect(held2.revision).toBeGreaterThan(held1.revision); // fencing tokens grow
  });

  it("ExampleElection_Campaign (e1 starts later, so e2 wins first; after e2 resigns, e1 leads)", async () => {
    const transport = connect(cluster.endpoints);
    const name = uniqueName("my-election");
    await using s1 = await createSession(transport);
    const e1 = createElection(s1, name);
    await using s2 = await createSession(transport);
    const e2 = createElection(s2, name);
    const elected: Election[] = [];
    const waiters = [
      new Promise((resolve) => setTimeout(resolve, 300)).then(() => e1.campaign("e1")).then(() => elected.push(e1)),
      e2.campaign("e2").then(() => elected.push(e2)),
    ];
    const firstValue = async (e: Election): Promise<string | undefined> => {
      for await (const { leader } of e.observe()) return leader?.text();
      return undefined;
    };
    const out: string[] = [];
    await waiters[1];
    const first = elected[0]!;
    out.push(`completed first election with ${await firstValue(first)}`);
    await first.resign();
    await waiters[0];
    out.push(`completed second election with ${await firstValue(elected[1]!)}`);
    expect(out).toEqual(["completed first election with e2", "completed second election with e1"]);
  });

  it("ExampleSTM_apply (10 concurrent exchanges between 5 accounts keep the sum)", async () => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    const prefix = uniqueName("accts");
    const totalAccounts = 5;
    for (let i = 0; i < totalAccounts; i++) await kv.put(`${prefix}/${i}`, "100");
    const exchange = async (stm: import("./index.js").STM): Promise<void> => {
      const from = Math.floor(Math.random() * totalAccounts);
      const to = Math.floor(Math.random() * totalAccounts);
      if (from === to) return;
      const fromK = `${prefix}/${from}`;
      const toK = `${prefix}/${to}`;
      let fromInt = Number(await stm.get(fromK));
      let toInt = Number(await stm.get(toK));
      const xfer = Math.floor(fromInt / 2);
      fromInt -= xfer;
      toInt += xfer;
      stm.put(fromK, String(fromInt));
      stm.put(toK, String(toInt));
    };
    await Promise.all(Array.from({ length: 10 }, () => runSTM(transport, exchange)));
    const accts = await kv.getPrefix(`${prefix}/`);
    const sum = accts.kvs.reduce((total, item) => total + item.number(), 0);
    expect(`account sum is ${sum}`).toBe("account sum is 500");
  });
});
