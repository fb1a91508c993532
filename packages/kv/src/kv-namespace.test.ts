/**
 * withNamespace against a real etcd: a namespaced KV cannot see or touch keys outside its
 * namespace (neighbours that sort right before and after it included), and every key coming
 * back (range results, prevKv, prevKvs, txn and nested txn responses) is stripped.
 */
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError, toBytes } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compare } from "./compare.js";
import type { KV } from "./kv.js";
import { connectKV, createRecordingTransport } from "./kv-test-env.test-helpers.js";
import { createKV } from "./create-kv.js";
import { withNamespace } from "./namespace.js";
import { op } from "./op-builders.js";
import type { RangeResult } from "./results.js";

describe("withNamespace, against a real etcd", () => {
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

  const keys = (result: RangeResult) => result.kvs.map((item) => item.keyText());
  /** Keys right around the namespace "app/": before it, equal to its stem, after it. */
  const neighbours = ["app", "app.", "app0", "apq", "zzz", "\u0001"];

  it("sees only its own keys: get, prefix, from-key, all keys, count", async () => {
    for (const key of neighbours) await kv.put(key, "outside");
    const app = withNamespace(kv, "app/");
    await app.put("a", "1");
    await app.put("b/1", "2");
    await app.put("c", "3");
    expect((await kv.get("app/a")).kv?.text()).toBe("1");
    expect((await app.get("app")).kv).toBeUndefined();
    expect((await app.get("a")).kv?.keyText()).toBe("a");
    expect(keys(await app.getAll())).toEqual(["a", "b/1", "c"]);
    expect(keys(await app.getFromKey("b"))).toEqual(["b/1", "c"]);
    expect(keys(await app.getPrefix(""))).toEqual(["a", "b/1", "c"]);
    expect(keys(await app.getPrefix("b/"))).toEqual(["b/1"]);
    expect(keys(await app.range("a", { end: "c" }))).toEqual(["a", "b/1"]);
    expect(keys(await app.getAll({ sort: { target: "key", order: "descend" }, limit: 2 }))).toEqual(["c", "b/1"]);
    expect((await app.getAll({ countOnly: true })).count).toBe(3);
  });

  it("deletes only inside the namespace, with stripped prevKvs", async () => {
    const scratch = withNamespace(kv, "scratch/");
    for (const key of ["scratch", "scratch0", "scratcha"]) await kv.put(key, "outside");
    await scratch.put("x", "1");
    await scratch.put("y", "2");
    const removed = await scratch.delete("", { fromKey: true, prevKv: true });
    expect(removed.deleted).toBe(2);
    expect(removed.prevKvs.map((item) => `${item.keyText()}=${item.text()}`)).toEqual(["x=1", "y=2"]);
    for (const key of ["scratch", "scratch0", "scratcha"]) expect((await kv.get(key)).kv?.text()).toBe("outside");
  });

  it("put prevKv comes back stripped", async () => {
    const ns = withNamespace(kv, "prev/");
    await ns.put("k", "old");
    const { prevKv } = await ns.put("k", "new", { prevKv: true });
    expect(prevKv?.keyText()).toBe("k");
    expect(prevKv?.text()).toBe("old");
  });

  it("txn compares, ops and nested txns run inside the namespace; responses come back stripped", async () => {
    const ns = withNamespace(kv, "txn/");
    await kv.put("guard", "exists outside only");
    await ns.put("a", "1");
    await ns.put("c", "gone soon");
    const result = await ns
      .txn()
      .if(compare.missing("guard"), compare.value("a", "=", "1"), compare.version("", "=", 1, { prefix: true }))
      .then(
        op.put("a", "2", { prevKv: true }),
        op.get("", { prefix: true }),
        op.txn({ if: [compare.exists("c")], then: [op.put("b", "3"), op.delete("c", { prevKv: true }), op.get("b")] }),
      )
      .commit();
    expect(result.succeeded).toBe(true);
    if (!result.succeeded) return;
    const [put, all, nested] = result.responses;
    expect(put.prevKv?.keyText()).toBe("a");
    expect(keys(all)).toEqual(["a", "c"]);
    expect(nested.succeeded).toBe(true);
    if (nested.succeeded) {
      expect(nested.responses[1].prevKvs.map((item) => item.keyText())).toEqual(["c"]);
      expect(keys(nested.responses[2])).toEqual(["b"]);
    }
    expect(keys(await kv.getPrefix("txn/"))).toEqual(["txn/a", "txn/b"]);
    expect((await kv.get("guard")).kv?.text()).toBe("exists outside only");
  });

  it("a namespace ending in 0xff does not leak into the next byte string", async () => {
    const ns = new Uint8Array([0x6e, 0xff]); // "n\xff"
    await kv.put(toBytes("o"), "outside");
    await kv.put(new Uint8Array([0x6e, 0xff, 0xff, 0x01]), "inside");
    const edge = withNamespace(kv, ns);
    const all = await edge.getAll();
    expect(all.kvs.map((item) => [...item.key])).toEqual([[0xff, 0x01]]);
    expect((await edge.getFromKey(new Uint8Array([0xff]))).count).toBe(1);
  });

  it("pages inside the namespace at a pinned revision, with stripped keys", async () => {
    const ns = withNamespace(kv, "pages/");
    await kv.put("pages", "outside");
    await kv.put("pages0", "outside");
    for (let i = 0; i < 25; i++) await ns.put(`k${String(i).padStart(2, "0")}`, String(i));
    const seen: string[] = [];
    for await (const page of ns.paginate("", { fromKey: true, pageSize: 10 })) seen.push(...page.kvs.map((item) => item.keyText()));
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, "0")}`));
  });

  it("never shows the key equal to the namespace itself, so a walk of it ends (it restarted for ever)", async () => {
    await kv.put("self/", "the namespace key");
    await kv.put("self/a", "A");
    await kv.put("self/b", "B");
    const ns = withNamespace(kv, "self/");
    expect(keys(await ns.getAll())).toEqual(["a", "b"]);
    expect(keys(await ns.getFromKey(""))).toEqual(["a", "b"]);
    expect(keys(await ns.range("", { end: "z" }))).toEqual(["a", "b"]);
    expect((await ns.txn().if(compare.value("", "!=", "the namespace key", { prefix: true })).commit()).succeeded).toBe(true);
    const walked: string[] = [];
    for await (const page of ns.paginate("", { prefix: true, pageSize: 1, limit: 10 })) walked.push(...page.kvs.map((i) => i.keyText()));
    expect(walked).toEqual(["a", "b"]);
    expect((await ns.delete("", { prefix: true })).deleted).toBe(2);
    expect((await kv.get("self/")).kv?.text()).toBe("the namespace key");
  });

  it("namespaces nest", async () => {
    const inner = withNamespace(withNamespace(kv, "outer/"), "inner/");
    await inner.put("k", "v");
    expect((await kv.get("outer/inner/k")).kv?.text()).toBe("v");
    expect(keys(await inner.getAll())).toEqual(["k"]);
  });

  it("checks the empty key inside the namespace before any I/O", async () => {
    const recording = createRecordingTransport();
    const ns = withNamespace(createKV(recording), "app/");
    const error = await ns.put("", "v").catch((e: unknown) => e);
    expect(isEtcdError(error, "empty-key")).toBe(true);
    expect(recording.calls).toHaveLength(0);
  });
});
