/**
 * Every Range option against a real etcd, each with an assertion that fails if the option were
 * ignored. One etcd for the file; every test works under its own key prefix.
 */
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { toBytes, type Revision } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KV } from "./kv.js";
import { connectKV, uniquePrefix } from "./kv-test-env.test-helpers.js";
import type { SortOption } from "./options.js";
import type { RangeResult } from "./results.js";

describe("KV reads: every Range option, against a real etcd", () => {
  let cluster: EtcdCluster;
  let kv: KV;
  let close: () => Promise<void>;
  beforeAll(async () => {
    cluster = await startEtcd();
    ({ kv, close } = connectKV(cluster.endpoints));
  });
  afterAll(async () => {
    await close?.();
    await cluster?.stop();
  });

  const keysOf = (result: RangeResult, prefix = "") => result.kvs.map((item) => item.keyText().slice(prefix.length));

  it("get: one key, or undefined", async () => {
    const p = uniquePrefix("get");
    await kv.put(`${p}a`, "1");
    await kv.put(`${p}ab`, "2");
    const { kv: item } = await kv.get(`${p}a`);
    expect(item?.keyText()).toBe(`${p}a`);
    expect(item?.text()).toBe("1");
    expect(item?.version).toBe(1);
    expect(item?.createRevision).toBe(item?.modRevision);
    expect((await kv.get(`${p}missing`)).kv).toBeUndefined();
  });

  it("prefix: every key starting with the prefix, nothing next to it", async () => {
    const p = uniquePrefix("prefix");
    for (const key of [`${p}x/a`, `${p}x/b`, `${p}x0`, `${p}x`, `${p}w`]) await kv.put(key, "v");
    expect(keysOf(await kv.getPrefix(`${p}x/`), p)).toEqual(["x/a", "x/b"]);
    expect(keysOf(await kv.range(`${p}x/`, { prefix: true }), p)).toEqual(["x/a", "x/b"]);
  });

  it("end: the half-open range [key, end)", async () => {
    const p = uniquePrefix("end");
    for (const key of ["a", "b", "c", "d"]) await kv.put(`${p}${key}`, "v");
    expect(keysOf(await kv.range(`${p}b`, { end: `${p}d` }), p)).toEqual(["b", "c"]);
  });

  it("fromKey and all keys: everything from a key to the end of the keyspace", async () => {
    const high = (suffix: string) => Uint8Array.from([0xfe, ...toBytes(suffix)]);
    await kv.put("\u0001low", "v");
    for (const suffix of ["a", "b", "c"]) await kv.put(high(suffix), "v");
    const fromB = await kv.getFromKey(high("b"));
    expect(fromB.kvs.map((item) => item.key)).toEqual([high("b"), high("c")]);
    const all = await kv.getAll({ keysOnly: true });
    const keys = all.kvs.map((item) => item.keyText());
    expect(keys).toContain("\u0001low");
    expect(all.kvs.at(-1)?.key).toEqual(high("c"));
    expect(all.count).toBe(all.kvs.length);
    expect((await kv.range("", { prefix: true, countOnly: true })).count).toBe(all.count);
  });

  it("limit: at most n keys, with more and the full count", async () => {
    const p = uniquePrefix("limit");
    for (const key of ["a", "b", "c"]) await kv.put(`${p}${key}`, "v");
    const limited = await kv.getPrefix(p, { limit: 2 });
    expect(keysOf(limited, p)).toEqual(["a", "b"]);
    expect(limited.more).toBe(true);
    expect(limited.count).toBe(3);
    const unlimited = await kv.getPrefix(p, { limit: 3 });
    expect(unlimited.more).toBe(false);
  });

  it("revision: reads the range as it was", async () => {
    const p = uniquePrefix("revision");
    const first = await kv.put(`${p}a`, "old");
    await kv.put(`${p}a`, "new");
    await kv.put(`${p}b`, "later");
    const then = await kv.getPrefix(p, { revision: first.revision });
    expect(then.kvs.map((item) => `${item.keyText().slice(p.length)}=${item.text()}`)).toEqual(["a=old"]);
    expect((await kv.get(`${p}a`, { revision: first.revision })).kv?.text()).toBe("old");
  });

  describe("sort: every target, both orders", () => {
    let p: string;
    const mod: Record<string, Revision> = {};
    beforeAll(async () => {
      p = uniquePrefix("sort");
      // create order b, c, a; versions b=3, a=2, c=1; last writes c, b, a; values a < c < b.
      await kv.put(`${p}b`, "z");
      await kv.put(`${p}c`, "m");
      await kv.put(`${p}a`, "a");
      await kv.put(`${p}b`, "z");
      await kv.put(`${p}b`, "z");
      await kv.put(`${p}a`, "a");
      for (const item of (await kv.getPrefix(p)).kvs) mod[item.keyText().slice(p.length)] = item.modRevision;
    });
    const cases: Array<[SortOption, string[]]> = [
      [{ target: "key" }, ["a", "b", "c"]],
      [{ target: "key", order: "descend" }, ["c", "b", "a"]],
      [{ target: "createRevision" }, ["b", "c", "a"]],
      [{ target: "createRevision", order: "descend" }, ["a", "c", "b"]],
      [{ target: "version", order: "ascend" }, ["c", "a", "b"]],
      [{ target: "version", order: "descend" }, ["b", "a", "c"]],
      [{ target: "modRevision" }, ["c", "b", "a"]],
      [{ target: "modRevision", order: "descend" }, ["a", "b", "c"]],
      [{ target: "value" }, ["a", "c", "b"]],
      [{ target: "value", order: "descend" }, ["b", "c", "a"]],
    ];
    it.each(cases)("sort %o → %o", async (sort, expected) => {
      expect(keysOf(await kv.getPrefix(p, { sort }), p)).toEqual(expected);
    });
    it("sort with limit applies the limit after sorting", async () => {
      const top = await kv.getPrefix(p, { sort: { target: "version", order: "descend" }, limit: 1 });
      expect(keysOf(top, p)).toEqual(["b"]);
      expect(top.more).toBe(true);
    });

    it("min/max mod revision filter by last modification", async () => {
      const [a, b, c] = [mod.a!, mod.b!, mod.c!];
      expect(keysOf(await kv.getPrefix(p, { minModRevision: b }), p)).toEqual(["a", "b"]);
      expect(keysOf(await kv.getPrefix(p, { maxModRevision: b }), p)).toEqual(["b", "c"]);
      expect(keysOf(await kv.getPrefix(p, { minModRevision: c + 1n, maxModRevision: a - 1n }), p)).toEqual(["b"]);
    });

    it("min/max create revision filter by creation", async () => {
      const created = Object.fromEntries((await kv.getPrefix(p)).kvs.map((i) => [i.keyText().slice(p.length), i.createRevision]));
      expect(keysOf(await kv.getPrefix(p, { minCreateRevision: created.c! }), p)).toEqual(["a", "c"]);
      expect(keysOf(await kv.getPrefix(p, { maxCreateRevision: created.c! }), p)).toEqual(["b", "c"]);
      expect(keysOf(await kv.getPrefix(p, { minCreateRevision: created.c!, maxCreateRevision: created.c! }), p)).toEqual(["c"]);
      // the filters on a single-key get
      expect((await kv.get(`${p}a`, { maxCreateRevision: created.b! })).kv).toBeUndefined();
      expect((await kv.get(`${p}a`, { minCreateRevision: created.b! })).kv?.text()).toBe("a");
    });
  });

  it("keysOnly: keys and metadata without values", async () => {
    const p = uniquePrefix("keys-only");
    await kv.put(`${p}a`, "value");
    const [item] = (await kv.getPrefix(p, { keysOnly: true })).kvs;
    expect(item?.keyText()).toBe(`${p}a`);
    expect(item?.value).toEqual(new Uint8Array(0));
    expect(item?.version).toBe(1);
    expect((await kv.get(`${p}a`, { keysOnly: true })).kv?.value.length).toBe(0);
    expect((await kv.get(`${p}a`)).kv?.text()).toBe("value");
  });

  it("countOnly: the count without key-values", async () => {
    const p = uniquePrefix("count-only");
    for (const key of ["a", "b", "c"]) await kv.put(`${p}${key}`, "v");
    const counted = await kv.getPrefix(p, { countOnly: true });
    expect(counted.count).toBe(3);
    expect(counted.kvs).toHaveLength(0);
  });

  it("serializable reads are served (the no-quorum case is in kv-serializable.test.ts)", async () => {
    const p = uniquePrefix("serializable");
    const { revision } = await kv.put(`${p}a`, "v");
    const read = await kv.getPrefix(p, { serializable: true });
    expect(keysOf(read, p)).toEqual(["a"]);
    expect(read.revision).toBeGreaterThanOrEqual(revision);
  });

  it("values and keys are bytes: binary keys and values round-trip, with decoding helpers", async () => {
    const p = uniquePrefix("bytes");
    const key = Uint8Array.from([...toBytes(p), 0x00, 0xff, 0x80]);
    const value = Uint8Array.from([0xde, 0xad, 0xbe, 0xef]);
    await kv.put(key, value);
    const { kv: item } = await kv.get(key);
    expect(item?.key).toEqual(key);
    expect(item?.value).toEqual(value);
    await kv.put(`${p}json`, JSON.stringify({ replicas: 3 }));
    await kv.put(`${p}number`, " 42.5 ");
    expect((await kv.get(`${p}json`)).kv?.json<{ replicas: number }>()).toEqual({ replicas: 3 });
    expect((await kv.get(`${p}number`)).kv?.number()).toBe(42.5);
    expect(() => item?.number()).toThrow(/not a finite decimal number/);
  });

  it("call options: an aborted signal cancels the call with reason canceled", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await kv.get("anything", { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "canceled" });
  });
});
