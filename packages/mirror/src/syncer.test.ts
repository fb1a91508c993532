/**
 * createSyncer against two real, separate etcd clusters: a prefix of cluster A is mirrored into
 * cluster B (its base in pages at one pinned revision, then every change after it), ending with
 * B holding exactly A's prefix; writes during the base walk arrive through the updates, never
 * twice; an explicit revision reads the past; a compacted base revision fails "compacted".
 */
import { createKV, op, type KV } from "@etcdkit/kv";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";
import { createWatch, type Watch, type Watcher } from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyncer } from "./syncer.js";

/** Key → value of a prefix. */
async function snapshot(kv: KV, prefix: string): Promise<Record<string, string>> {
  const { kvs } = await kv.getPrefix(prefix);
  return Object.fromEntries(kvs.map((item) => [item.keyText(), item.text()]));
}

/** Applies a watch's batches to `target` (one txn per batch) until `until` has been applied. */
async function applyUntil(watch: Watch, target: KV, until: bigint): Promise<string[]> {
  const seen: string[] = [];
  const deadline = setTimeout(() => watch.cancel(), 20_000).unref();
  for await (const batch of watch) {
    const ops = batch.events.map((e) => (e.type === "put" ? op.put(e.kv.key, e.kv.value) : op.delete(e.kv.key)));
    if (ops.length > 0) await target.do(op.txn({ then: ops }));
    for (const e of batch.events) seen.push(`${e.type} ${e.kv.keyText()}`);
    if (batch.revision >= until) break;
  }
  clearTimeout(deadline);
  return seen;
}

describe("createSyncer, mirroring a prefix between two real etcd clusters", () => {
  let a: EtcdCluster;
  let b: EtcdCluster;
  let ta: EtcdTransport;
  let tb: EtcdTransport;
  let source: { kv: KV; watch: Watcher };
  let target: KV;
  beforeAll(async () => {
    [a, b] = await Promise.all([startEtcd(), startEtcd()]);
    ta = createTransport({ endpoints: a.endpoints });
    tb = createTransport({ endpoints: b.endpoints });
    source = { kv: createKV(ta), watch: createWatch(ta) };
    target = createKV(tb);
  });
  afterAll(async () => {
    await Promise.all([ta?.close(), tb?.close()]);
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("copies the base in pages at one revision, then every change, until B equals A's prefix", async () => {
    for (let i = 0; i < 25; i++) await source.kv.put(`src/${String(i).padStart(2, "0")}`, `v${i}`);
    for (const key of ["src", "src0", "other/x"]) await source.kv.put(key, "outside");
    const syncer = createSyncer(source, "src/");
    expect(syncer.revision).toBe(0n);

    const pages: number[] = [];
    const revisions = new Set<bigint>();
    for await (const page of syncer.syncBase({ pageSize: 10 })) {
      if (pages.length === 0) {
        await source.kv.put("src/late", "written during the base walk");
        await source.kv.put("src/00", "changed during the base walk");
      }
      pages.push(page.kvs.length);
      revisions.add(page.revision);
      for (const item of page.kvs) await target.put(item.key, item.value);
    }
    expect(pages).toEqual([10, 10, 5]);
    expect([...revisions]).toEqual([syncer.revision]);
    expect((await target.get("src/late"))).toBeUndefined(); // after the base revision
    expect((await target.get("src/00"))?.text()).toBe("v0");

    const watch = syncer.syncUpdates();
    await source.kv.delete("src/01");
    await source.kv.put("src/02", "updated");
    const { revision: last } = await source.kv.put("other/y", "outside");
    const { revision: lastInside } = await source.kv.put("src/zz", "last");
    expect(lastInside).toBeGreaterThan(last);
    const seen = await applyUntil(watch, target, lastInside);
    expect(seen).toEqual(["put src/late", "put src/00", "delete src/01", "put src/02", "put src/zz"]);
    expect(await snapshot(target, "")).toEqual(await snapshot(source.kv, "src/"));
  });

  it("an explicit revision reads the state at that revision; an empty prefix is every key", async () => {
    const { revision } = await source.kv.put("past/k", "then");
    await source.kv.put("past/k", "now");
    const syncer = createSyncer(source, "past/", revision);
    const values: string[] = [];
    for await (const page of syncer.syncBase()) for (const item of page.kvs) values.push(item.text());
    expect(values).toEqual(["then"]);

    const everything = createSyncer(source);
    let keys = 0;
    for await (const page of everything.syncBase()) keys += page.kvs.length;
    expect(keys).toBe((await source.kv.getAll({ countOnly: true, revision: everything.revision })).count);
  });

  it("syncUpdates before the base revision is known fails invalid-argument; a compacted base fails compacted", async () => {
    const syncer = createSyncer(source, "src/");
    expect(() => syncer.syncUpdates()).toThrow(/syncBase first/);
    const { revision } = await source.kv.put("c/k", "1");
    await source.kv.put("c/k", "2");
    await source.kv.compact(revision + 1n);
    const old = createSyncer(source, "c/", revision);
    const error = await (async () => {
      for await (const _ of old.syncBase()) void _;
    })().catch((e: unknown) => e);
    expect(isEtcdError(error, "compacted")).toBe(true);
    expect(() => createSyncer({} as never)).toThrow(/kv and a watch/);
    expect(() => createSyncer(source, "p/", -1n)).toThrow();
  });
});
