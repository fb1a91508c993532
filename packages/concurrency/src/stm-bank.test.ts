/**
 * The STM bank against 3 real etcd members: 10 accounts, 8 concurrent transfer loops for 10 s per
 * isolation level (all levels at once, each on its own accounts). Every read of all accounts at
 * one revision must total the same, except under read-committed, which has no commit guards: a
 * transfer's writes overwrite whatever another transfer wrote since its reads (a lost update), so
 * money appears or vanishes.
 */
import { createKV } from "@etcdkit/kv";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, sleep, uniqueName } from "./concurrency-test-env.test-helpers.js";
import { runSTM, type Isolation } from "./index.js";

const ACCOUNTS = 10;
const LOOPS = 8;
const RUN_MS = 10_000;
const INITIAL = 100;

interface BankRun {
  readonly isolation: Isolation;
  readonly transfers: number;
  readonly attempts: number;
  /** Totals of every read of all accounts (each at one revision), plus the final one. */
  readonly totals: number[];
}

async function runBank(endpoints: readonly string[], isolation: Isolation): Promise<BankRun> {
  const transport = connect(endpoints);
  const kv = createKV(connect(endpoints));
  const prefix = uniqueName(`bank-${isolation}`);
  const account = (i: number): string => `${prefix}/${String(i).padStart(2, "0")}`;
  for (let i = 0; i < ACCOUNTS; i++) await kv.put(account(i), String(INITIAL));
  const deadline = performance.now() + RUN_MS;
  let transfers = 0;
  let attempts = 0;
  const totals: number[] = [];
  const total = async (): Promise<number> => (await kv.getPrefix(`${prefix}/`)).kvs.reduce((sum, item) => sum + item.number(), 0);
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const from = Math.floor(Math.random() * ACCOUNTS);
      const to = (from + 1 + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS;
      const amount = 1 + Math.floor(Math.random() * 10);
      const result = await runSTM(
        transport,
        async (stm) => {
          const fromBalance = Number(await stm.get(account(from)));
          const toBalance = Number(await stm.get(account(to)));
          stm.put(account(from), String(fromBalance - amount));
          stm.put(account(to), String(toBalance + amount));
        },
        { isolation, maxAttempts: 1_000 },
      );
      transfers += 1;
      attempts += result.attempts;
    }
  };
  const checker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      totals.push(await total());
      await sleep(50);
    }
  };
  await Promise.all([...Array.from({ length: LOOPS }, loop), checker()]);
  totals.push(await total());
  return { isolation, transfers, attempts, totals };
}

describe("STM bank (3 real members)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3 });
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  it("10 accounts, 8 transfer loops for 10 s: the total never changes, except under read-committed", async () => {
    const runs = await Promise.all(
      (["serializable-snapshot", "serializable", "repeatable-read", "read-committed"] as const).map((isolation) => runBank(cluster.endpoints, isolation)),
    );
    const expected = ACCOUNTS * INITIAL;
    for (const run of runs) {
      expect(run.transfers, run.isolation).toBeGreaterThan(LOOPS);
      expect(run.totals.length, run.isolation).toBeGreaterThan(10);
    }
    for (const run of runs.filter((r) => r.isolation !== "read-committed")) {
      expect({ isolation: run.isolation, wrong: run.totals.filter((t) => t !== expected) }).toEqual({ isolation: run.isolation, wrong: [] });
      expect(run.attempts, `${run.isolation} retried on conflicts`).toBeGreaterThan(run.transfers);
    }
    const readCommitted = runs.find((r) => r.isolation === "read-committed")!;
    expect(readCommitted.attempts).toBe(readCommitted.transfers); // never retries: nothing is guarded
    expect(readCommitted.totals.some((t) => t !== expected)).toBe(true); // lost updates changed the total
  }, 60_000);
});
