/**
 * Paging against a real etcd: a walk over 10,000 keys while another writer changes, deletes and
 * adds keys sees exactly the snapshot at the pinned revision; limit, signal and an explicit
 * revision are honoured.
 */
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError, type KeyValue } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KV } from "./kv.js";
import { connectKV, uniquePrefix } from "./kv-test-env.test-helpers.js";
import { op } from "./op-builders.js";

const TOTAL = 10_000;
const TXN_OPS = 128; // etcd's default --max-txn-ops
const name = (i: number) => i.toString().padStart(5, "0");

/** Writes `count` keys `${prefix}00000`… with txns of 128 puts, 4 txns in flight. */
async function fill(kv: KV, prefix: string, count: number): Promise<void> {
  const batches: number[][] = [];
  for (let i = 0; i < count; i += TXN_OPS) batches.push(Array.from({ length: Math.min(TXN_OPS, count - i) }, (_, j) => i + j));
  const worker = async () => {
    for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
      await kv.do(op.txn({ then: batch.map((i) => op.put(`${prefix}${name(i)}`, `v0-${i}`)) }));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

describe("paginate, against a real etcd", () => {
  let cluster: EtcdCluster;
  let kv: KV;
  let close: () => Promise<void>;
  let big: string;
  beforeAll(async () => {
    cluster = await startEtcd();
    ({ kv, close } = connectKV(cluster.endpoints));
    big = uniquePrefix("big");
    await fill(kv, big, TOTAL);
  });
  afterAll(async () => {
    await close?.();
    await cluster?.stop();
  });

  it("walks 10,000 keys at one pinned revision while another writer changes them", async () => {
    let stop = false;
    let background = 0;
    const startWriter = async () => {
      for (let round = 0; !stop; round++) {
        const start = (round * 97) % (TOTAL - 100);
        await kv.do(op.txn({ then: Array.from({ length: 100 }, (_, j) => op.put(`${big}${name(start + j)}`, "changed")) }));
        background++;
      }
    };
    let writer: Promise<void> | undefined;

    const seen: KeyValue[] = [];
    const revisions = new Set<bigint>();
    let pages = 0;
    for await (const page of kv.paginate(big, { prefix: true, pageSize: 500 })) {
      pages++;
      seen.push(...page.kvs);
      revisions.add(page.revision);
      // the first page pinned the revision: from now on another writer changes the range
      writer ??= startWriter();
      // ahead of the cursor: delete keys, overwrite keys, add keys
      const next = Math.min(TOTAL - 10, pages * 500 + 100);
      await kv.delete(`${big}${name(next)}`, { end: `${big}${name(next + 5)}` });
      await kv.put(`${big}${name(next + 7)}`, "changed");
      await kv.put(`${big}${name(next + 7)}-new`, "added");
    }
    stop = true;
    await writer;
    expect(background).toBeGreaterThan(0);

    const [pinned] = [...revisions];
    expect(revisions.size).toBe(1);
    expect(pages).toBe(TOTAL / 500);
    expect(seen).toHaveLength(TOTAL);
    expect(seen.map((item) => item.keyText())).toEqual(Array.from({ length: TOTAL }, (_, i) => `${big}${name(i)}`));
    expect(seen.every((item, i) => item.text() === `v0-${i}` && item.modRevision <= pinned!)).toBe(true);

    const snapshot = await kv.getPrefix(big, { revision: pinned });
    expect(seen.map((item) => [item.keyText(), item.text()])).toEqual(snapshot.kvs.map((item) => [item.keyText(), item.text()]));

    // the writers really did change the range meanwhile
    // (Not the count: the background writer re-creates deleted keys, so it can land on TOTAL again.)
    const now = await kv.getPrefix(big);
    expect(now.kvs.some((item) => item.modRevision > pinned!)).toBe(true);
    const deletedAhead = await kv.getPrefix(big, { revision: pinned });
    expect(deletedAhead.count).toBe(TOTAL);
    expect(now.kvs.some((item) => item.text() === "changed")).toBe(true);
    expect(now.kvs.some((item) => item.keyText().endsWith("-new"))).toBe(true);
  });

  it("honours a total limit across pages", async () => {
    const p = uniquePrefix("limit");
    await fill(kv, p, 1300);
    const sizes: number[] = [];
    const keys: string[] = [];
    for await (const page of kv.paginate(p, { prefix: true, pageSize: 500, limit: 1234, keysOnly: true })) {
      sizes.push(page.kvs.length);
      keys.push(...page.kvs.map((item) => item.keyText()));
      expect(page.kvs.every((item) => item.value.length === 0)).toBe(true);
    }
    expect(sizes).toEqual([500, 500, 234]);
    expect(keys).toEqual(Array.from({ length: 1234 }, (_, i) => `${p}${name(i)}`));
  });

  it("walks [key, end) and from a key; an empty range yields no page", async () => {
    const p = uniquePrefix("bounds");
    await fill(kv, p, 30);
    const between: string[] = [];
    for await (const page of kv.paginate(`${p}${name(5)}`, { end: `${p}${name(25)}`, pageSize: 7 })) {
      between.push(...page.kvs.map((item) => item.keyText().slice(p.length)));
    }
    expect(between).toEqual(Array.from({ length: 20 }, (_, i) => name(i + 5)));
    let pages = 0;
    for await (const _ of kv.paginate(`${p}nothing/`, { prefix: true })) pages++;
    expect(pages).toBe(0);
  });

  it("reads at an explicit revision when given", async () => {
    const p = uniquePrefix("revision");
    const { revision } = await kv.put(`${p}a`, "before");
    await kv.put(`${p}a`, "after");
    await kv.put(`${p}b`, "after");
    const texts: string[] = [];
    for await (const page of kv.paginate(p, { prefix: true, revision, pageSize: 1 })) {
      expect(page.revision).toBe(revision);
      texts.push(...page.kvs.map((item) => item.text()));
    }
    expect(texts).toEqual(["before"]);
  });

  it("stops with canceled when the signal aborts mid-walk", async () => {
    const controller = new AbortController();
    let pages = 0;
    const walk = async () => {
      for await (const _ of kv.paginate(big, { prefix: true, pageSize: 100, signal: controller.signal })) {
        pages++;
        if (pages === 2) controller.abort();
      }
    };
    const error = await walk().catch((e: unknown) => e);
    expect(isEtcdError(error, "canceled")).toBe(true);
    expect(pages).toBe(2);
  });

  it("rejects a bad page size before any I/O", async () => {
    const error = await kv.paginate(big, { prefix: true, pageSize: 0 })[Symbol.asyncIterator]().next().catch((e: unknown) => e);
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
  });
});
