/**
 * The KV examples of etcd's Go client documentation (client/v3 example_kv_test.go), ported, each
 * asserting the output Go's example prints. One fresh etcd for the file: the Put example runs
 * first and sees the store's first revision.
 */
import { isEtcdError } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compare } from "./compare.js";
import type { KV } from "./kv.js";
import { connectKV, createRecordingTransport } from "./kv-test-env.test-helpers.js";
import { createKV } from "./create-kv.js";
import { op } from "./op-builders.js";

describe("etcd Go client KV examples, against a real etcd", () => {
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

  it("ExampleKV_put: the first put on an empty store is revision 2", async () => {
    const { revision } = await kv.put("sample_key", "sample_value");
    expect(revision).toBe(2n);
    expect((await kv.get("sample_key")).kv?.text()).toBe("sample_value");
  });

  it("ExampleKV_putErrorHandling: an empty key is a client-side empty-key error", async () => {
    const recording = createRecordingTransport();
    const error = await createKV(recording).put("", "sample_value").catch((e: unknown) => e);
    expect(isEtcdError(error, "empty-key")).toBe(true);
    expect((error as Error).message).toContain("etcdserver: key is not provided");
    expect(recording.calls).toHaveLength(0);
  });

  it("ExampleKV_get: foo : bar", async () => {
    await kv.put("foo", "bar");
    const { kv: foo } = await kv.get("foo");
    expect(`${foo?.keyText()} : ${foo?.text()}`).toBe("foo : bar");
  });

  it("ExampleKV_getWithRev: reads foo at the revision of the first put", async () => {
    const first = await kv.put("foo", "bar1");
    await kv.put("foo", "bar2");
    const { kv: foo } = await kv.get("foo", { revision: first.revision });
    expect(`${foo?.keyText()} : ${foo?.text()}`).toBe("foo : bar1");
  });

  it("ExampleKV_getSortedPrefix: key_2, key_1, key_0", async () => {
    for (const i of [0, 1, 2]) await kv.put(`key_${i}`, "value");
    const { kvs } = await kv.getPrefix("key", { sort: { target: "key", order: "descend" } });
    expect(kvs.map((item) => `${item.keyText()} : ${item.text()}`)).toEqual([
      "key_2 : value",
      "key_1 : value",
      "key_0 : value",
    ]);
  });

  it("ExampleKV_delete: deletes every key it counted", async () => {
    const { kvs } = await kv.getPrefix("key");
    expect(kvs.length).toBe(3);
    const { deleted } = await kv.delete("key", { prefix: true });
    expect(deleted).toBe(kvs.length);
    expect((await kv.getPrefix("key")).count).toBe(0);
  });

  it("ExampleKV_txn: xyz > abc runs the then-branch, key : XYZ", async () => {
    await kv.put("key", "xyz");
    const result = await kv
      .txn()
      .if(compare.value("key", ">", "abc"))
      .then(op.put("key", "XYZ"))
      .else(op.put("key", "ABC"))
      .commit();
    expect(result.succeeded).toBe(true);
    const { kv: key } = await kv.get("key");
    expect(`${key?.keyText()} : ${key?.text()}`).toBe("key : XYZ");
  });

  it("ExampleKV_do: put, get, put as ops", async () => {
    const ops = [op.put("put-key", "123"), op.get("put-key"), op.put("put-key", "456")];
    const results = [];
    for (const o of ops) results.push(await kv.do(o));
    expect(results).toHaveLength(3);
    const got = await kv.do(op.get("put-key"));
    expect(got.kvs[0]?.text()).toBe("456");
    expect(got.kvs[0]?.version).toBe(2);
  });

  it("ExampleKV_compact: a read at a compacted revision fails with compacted", async () => {
    const before = await kv.put("compact-me", "old");
    await kv.put("compact-me", "new");
    const { revision } = await kv.range("foo");
    await kv.compact(revision);
    const error = await kv.get("compact-me", { revision: before.revision }).catch((e: unknown) => e);
    expect(isEtcdError(error, "compacted")).toBe(true);
    expect((await kv.get("compact-me")).kv?.text()).toBe("new");
  });
});
