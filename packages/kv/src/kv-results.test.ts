/**
 * What every KV result carries and how it serializes, against a real etcd: the response header
 * (cluster, member, revision, raft term) on every result, the read revision of `kv.get` (also for
 * a missing key), `JSON.stringify` and `util.inspect` of every result type, and Go's sort shortcuts.
 */
import { inspect } from "node:util";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { toBytes, type ResponseHeader } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KV } from "./kv.js";
import { connectKV, uniquePrefix } from "./kv-test-env.test-helpers.js";
import { withNamespace } from "./namespace.js";
import { op } from "./op-builders.js";
import { compare } from "./compare.js";
import { withFirstCreate, withFirstKey, withFirstRev, withLastCreate, withLastKey, withLastRev } from "./sort-shortcuts.js";

describe("KV results: headers, the read revision, JSON and inspect (real etcd)", () => {
  let cluster: EtcdCluster;
  let kv: KV;
  let close: () => Promise<void>;
  let memberId: bigint;
  beforeAll(async () => {
    cluster = await startEtcd();
    ({ kv, close } = connectKV(cluster.endpoints));
    memberId = (await kv.put("/kv-results/probe", "x")).header.memberId;
  });
  afterAll(async () => {
    await close?.();
    await cluster?.stop();
  });

  /** A header etcd filled in: this member, a cluster, a term, and the given revision. */
  const answeredBy = (header: ResponseHeader, revision: bigint): void => {
    expect(header.memberId).toBe(memberId);
    expect(header.memberId).not.toBe(0n);
    expect(header.clusterId).not.toBe(0n);
    expect(header.raftTerm).toBeGreaterThan(0n);
    expect(header.revision).toBe(revision);
  };

  it("every result carries the response header of etcd's answer", async () => {
    const p = uniquePrefix("header");
    const put = await kv.put(`${p}a`, "1");
    answeredBy(put.header, put.revision);
    const range = await kv.getPrefix(p);
    answeredBy(range.header, put.revision);
    const got = await kv.get(`${p}a`);
    answeredBy(got.header, put.revision);
    const deleted = await kv.delete(`${p}a`);
    answeredBy(deleted.header, deleted.revision);
    const compacted = await kv.compact(put.revision);
    answeredBy(compacted.header, compacted.revision);
    expect(compacted.revision).toBeGreaterThanOrEqual(deleted.revision);
  });

  it("txn results: the txn's header, and each inner result the same header with its own revision", async () => {
    const p = uniquePrefix("txn-header");
    const before = await kv.put(`${p}a`, "1");
    const result = await kv
      .txn()
      .then(op.get(`${p}a`), op.put(`${p}b`, "2"), op.txn({ then: [op.get(`${p}b`)] }))
      .commit();
    answeredBy(result.header, result.revision);
    if (!result.succeeded) throw new Error("a txn without guards runs its then-branch");
    const [read, write, nested] = result.responses;
    answeredBy(read.header, before.revision); // the read before the txn's first write saw the revision before
    answeredBy(write.header, result.revision);
    answeredBy(nested.header, result.revision);
    answeredBy(nested.responses[0]!.header, result.revision);
  });

  it("kv.get keeps the read revision: a missing key is missing at that revision", async () => {
    const p = uniquePrefix("get-revision");
    const { revision: current } = await kv.put(`${p}other`, "x");
    const missing = await kv.get(`${p}config`);
    expect(missing.kv).toBeUndefined();
    expect(missing.revision).toBe(current); // nothing was written since
    expect(missing.header.revision).toBe(current);
    // Create-if-absent guarded on that read; a later read at the same revision still finds nothing.
    const created = await kv.txn().if(compare.missing(`${p}config`)).then(op.put(`${p}config`, "v1")).commit();
    expect(created.succeeded).toBe(true);
    expect((await kv.get(`${p}config`, { revision: missing.revision })).kv).toBeUndefined();
    const found = await kv.get(`${p}config`);
    expect(found.kv?.text()).toBe("v1");
    expect(found.revision).toBe(created.revision);
  });

  it("JSON.stringify works on every result type: bigints as decimal strings, bytes as text or { base64 }", async () => {
    const p = uniquePrefix("json");
    const first = await kv.put(`${p}a`, "one");
    const put = await kv.put(`${p}a`, "two", { prevKv: true });
    await kv.put(`${p}bin`, new Uint8Array([0xff, 0x00]));
    const header = (h: ResponseHeader) => ({
      clusterId: h.clusterId.toString(),
      memberId: h.memberId.toString(),
      revision: h.revision.toString(),
      raftTerm: h.raftTerm.toString(),
    });
    const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

    expect(json(put)).toEqual({
      revision: put.revision.toString(),
      prevKv: { key: `${p}a`, value: "one", createRevision: first.revision.toString(), modRevision: first.revision.toString(), version: 1, lease: "0" },
      header: header(put.header),
    });
    const got = await kv.get(`${p}a`);
    expect(json(got)).toMatchObject({ revision: got.revision.toString(), kv: { key: `${p}a`, value: "two", version: 2 }, header: header(got.header) });
    expect(json(await kv.get(`${p}missing`))).not.toHaveProperty("kv"); // undefined fields are left out, as JSON does
    const range = await kv.getPrefix(p, { sort: { target: "key" } });
    expect(json(range)).toMatchObject({ count: 2, more: false, kvs: [{ value: "two" }, { key: `${p}bin`, value: { base64: "/wA=" } }] });
    const txn = await kv.txn().if(compare.value(`${p}a`, "=", "two")).then(op.get(`${p}a`), op.txn({ then: [op.put(`${p}c`, "3")] })).commit();
    expect(json(txn)).toMatchObject({ succeeded: true, revision: txn.revision.toString(), responses: [{ count: 1 }, { responses: [{ revision: txn.revision.toString() }] }] });
    for await (const page of kv.paginate(p, { prefix: true, pageSize: 2 })) {
      expect(json(page)).toMatchObject({ revision: page.revision.toString(), kvs: [{ key: `${p}a` }, { key: `${p}bin` }] });
      break;
    }
    const app = withNamespace(kv, p);
    expect(json(await app.getAll({ keysOnly: true }))).toMatchObject({ kvs: [{ key: "a", value: "" }, { key: "bin" }, { key: "c" }] });
    const deleted = await kv.delete(p, { prefix: true, prevKv: true });
    expect(json(deleted)).toMatchObject({ deleted: 3, prevKvs: [{ key: `${p}a` }, { key: `${p}bin` }, { key: `${p}c` }], header: header(deleted.header) });
    const compacted = await kv.compact(first.revision);
    expect(json(compacted)).toEqual({ revision: compacted.revision.toString(), header: header(compacted.header) });
  });

  it("util.inspect shows results with keys and values as text", async () => {
    const p = uniquePrefix("inspect");
    await kv.put(`${p}greeting`, "hello");
    const text = inspect(await kv.get(`${p}greeting`), { depth: 4 });
    expect(text).toMatch(/^GetResult \{/);
    expect(text).toContain(`key: '${p}greeting'`);
    expect(text).toContain("value: 'hello'");
    expect(text).toContain("ResponseHeader {");
    expect(inspect(await kv.getPrefix(p), { depth: 4 })).toContain("value: 'hello'");
  });

  it("Go's sort shortcuts: first and last key of a prefix by key, create revision and mod revision", async () => {
    const p = uniquePrefix("shortcuts");
    // created b, a, c; then modified a, then b: every order differs.
    await kv.put(`${p}b`, "1");
    await kv.put(`${p}a`, "1");
    await kv.put(`${p}c`, "1");
    await kv.put(`${p}a`, "2");
    await kv.put(`${p}b`, "2");
    const first = async (options: Parameters<KV["range"]>[1]) => {
      const result = await kv.range(p, options);
      expect(result.kvs).toHaveLength(1); // limit 1
      expect([result.count, result.more]).toEqual([3, true]); // over the whole prefix
      return result.kvs[0]!.keyText().slice(p.length);
    };
    expect(await first(withFirstKey())).toBe("a");
    expect(await first(withLastKey())).toBe("c");
    expect(await first(withFirstCreate())).toBe("b");
    expect(await first(withLastCreate())).toBe("c");
    expect(await first(withFirstRev())).toBe("c");
    expect(await first(withLastRev())).toBe("b");
    expect(await first({ ...withLastRev(), serializable: true, keysOnly: true })).toBe("b");
    // in a txn, and on an empty prefix nothing is found
    const txn = await kv.txn().then(op.get(p, withFirstCreate())).commit();
    if (!txn.succeeded) throw new Error("a txn without guards runs its then-branch");
    expect(txn.responses[0].kvs[0]?.keyText()).toBe(`${p}b`);
    expect((await kv.range(`${p}none/`, withFirstKey())).kvs).toEqual([]);
    expect(Object.isFrozen(withFirstKey())).toBe(true);
    expect(toBytes(withFirstKey().sort.target)).toEqual(toBytes("key"));
  });
});
