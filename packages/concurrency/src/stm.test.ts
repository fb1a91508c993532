/**
 * STM against a real etcd: what each isolation level guards, retries and their cap, prefetch,
 * and a commit whose outcome is unknown (never applied twice).
 */
import { createKV } from "@etcdkit/kv";
import { createSpyTransport, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, reasonOf, uniqueName } from "./concurrency-test-env.test-helpers.js";
import { runSTM, type Isolation } from "./index.js";

describe("STM (real etcd)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  it.each<[Isolation, number, string]>([
    ["serializable-snapshot", 2, "11"],
    ["serializable", 2, "11"],
    ["repeatable-read", 2, "11"],
    ["read-committed", 1, "2"], // the concurrent update is lost
  ])("%s: a write to a key read in between makes the attempt retry (%i attempts; counter %s)", async (isolation, attempts, counter) => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    const key = uniqueName("counter");
    await kv.put(key, "1");
    let runs = 0;
    const result = await runSTM(
      transport,
      async (stm) => {
        const value = Number(await stm.get(key));
        if (runs++ === 0) await kv.put(key, "10"); // someone else, between our read and our commit
        stm.put(key, String(value + 1));
        return value;
      },
      { isolation },
    );
    expect(result.attempts).toBe(attempts);
    expect((await kv.get(key))?.text()).toBe(counter);
    expect((await kv.get(key))?.modRevision).toBe(result.revision);
  });

  it("serializable-snapshot also guards the keys it only writes; serializable does not", async () => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    for (const isolation of ["serializable-snapshot", "serializable"] as const) {
      const read = uniqueName("read");
      const written = uniqueName("written");
      await kv.put(read, "r");
      let runs = 0;
      const result = await runSTM(
        transport,
        async (stm) => {
          await stm.get(read);
          if (runs++ === 0) await kv.put(written, "theirs"); // after our snapshot
          stm.put(written, "ours");
        },
        { isolation },
      );
      expect([isolation, result.attempts]).toEqual([isolation, isolation === "serializable-snapshot" ? 2 : 1]);
    }
  });

  it("reads of one attempt see one snapshot (serializable-snapshot)", async () => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    const a = uniqueName("a");
    const b = uniqueName("b");
    await kv.put(a, "1");
    await kv.put(b, "1");
    const seen: string[] = [];
    let runs = 0;
    await runSTM(transport, async (stm) => {
      const first = await stm.get(a);
      if (runs++ === 0) await kv.put(b, "2");
      seen.push(`${first}${await stm.get(b)}`);
    });
    // The first attempt read b from its snapshot (before b changed), so its commit found b changed
    // and the attempt ran again on a fresh snapshot.
    expect(seen).toEqual(["11", "12"]);
  });

  it("prefetch reads every key in one round trip, and a missing key reads as ''", async () => {
    const spy = createSpyTransport(connect(cluster.endpoints));
    const keys = [uniqueName("p"), uniqueName("p"), uniqueName("p")];
    await createKV(spy).put(keys[0]!, "x");
    spy.calls.length = 0;
    const { value } = await runSTM(spy, async (stm) => [await stm.get(keys[0]!), await stm.get(keys[1]!), await stm.rev(keys[2]!)], { prefetch: keys });
    expect(value).toEqual(["x", "", 0n]);
    expect(spy.calls.map((c) => c.method)).toEqual(["Txn", "Txn"]); // the prefetch, the commit
  });

  it("gives up with stm-conflict after maxAttempts, having applied nothing", async () => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    const key = uniqueName("hot");
    await kv.put(key, "0");
    let runs = 0;
    const failure = await runSTM(
      transport,
      async (stm) => {
        runs += 1;
        await stm.get(key);
        await kv.put(key, `theirs ${runs}`);
        stm.put(key, "ours");
      },
      { maxAttempts: 3 },
    ).then(() => undefined, (err: unknown) => err);
    expect(isEtcdError(failure, "stm-conflict")).toBe(true);
    expect(runs).toBe(3);
    expect((await kv.get(key))?.text()).toBe("theirs 3");
  });

  it("what apply throws is thrown as is, and nothing is committed", async () => {
    const transport = connect(cluster.endpoints);
    const kv = createKV(transport);
    const key = uniqueName("throws");
    const failure = await runSTM(transport, (stm) => {
      stm.put(key, "never");
      throw new RangeError("insufficient funds");
    }).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(RangeError);
    expect(await kv.get(key)).toBeUndefined();
  });

  it("a commit whose answer is lost is never run again: one increment, an error with outcomeUnknown (etcd #18424, Jepsen #14890)", async () => {
    const member = cluster.members[0]!;
    const transport = connect([member.proxy!.url]);
    const kv = createKV(connect(cluster.endpoints));
    const key = uniqueName("once");
    await kv.put(key, "0");
    let runs = 0;
    const failure = await runSTM(
      transport,
      async (stm) => {
        runs += 1;
        const value = Number(await stm.get(key));
        if (runs === 1) {
          // The commit reaches etcd and is applied; its answer is held, then the connection breaks.
          member.proxy!.setMode("drop-responses");
          setTimeout(() => member.proxy!.setMode("reset"), 300);
          setTimeout(() => member.proxy!.setMode("pass"), 600);
        }
        stm.put(key, String(value + 1));
      },
      { timeoutMs: 15_000 },
    ).then(() => undefined, (err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 700));
    member.proxy!.setMode("pass");
    expect(runs).toBe(1);
    expect(isEtcdError(failure)).toBe(true);
    expect((failure as { outcomeUnknown: boolean }).outcomeUnknown).toBe(true);
    expect((await kv.get(key))?.text()).toBe("1");
  });

  it("rejects bad input before any I/O", async () => {
    const spy = createSpyTransport(connect(cluster.endpoints));
    expect(await reasonOf(runSTM(spy, () => undefined, { isolation: "snapshot" as never }))).toBe("invalid-argument");
    expect(await reasonOf(runSTM(spy, () => undefined, { maxAttempts: 0 }))).toBe("invalid-argument");
    expect(await reasonOf(runSTM(spy, () => undefined, { prefetch: [""] }))).toBe("invalid-argument");
    expect(await reasonOf(runSTM(spy, () => undefined, { timeoutMs: 0 }))).toBe("deadline-exceeded");
    expect(await reasonOf(runSTM(spy, "nope" as never))).toBe("invalid-argument");
    expect(await reasonOf(runSTM(spy, (stm) => stm.get("")))).toBe("invalid-argument");
    expect(spy.calls).toEqual([]);
  });
});
