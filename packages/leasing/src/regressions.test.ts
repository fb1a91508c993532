/**
 * Regression tests for the correctness bugs of Go's `client/v3/leasing`: etcd-io/etcd#19091 (no
 * check that the lease is alive), the wait-channel problem of #20704, #21589's EvictRange, and the
 * ones found reading Go's `kv.go`, `cache.go` and `txn.go`; each a scenario against a real etcd in
 * which Go's logic gives a wrong answer (or never answers). Faults: the client's connection through a proxy that
 * holds etcd's answers ("drop-responses") or resets; an answer lost after etcd applied the
 * request (`loseFirstAnswer`, where a proxy cannot pick the one request); and the client's
 * whole event loop stopped (a GC or VM pause) while another process writes.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compare, createKV, op, type KV, type RangeResult } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { findEtcdctlBinary, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError } from "@etcdkit/transport";
import { createWatch, type WatchBatch } from "@etcdkit/watch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAll, connect, errorOf, eventually, holdRequests, leasing, loseFirstAnswer, reasonOf, requestText, sleep, snapshot, unique, within } from "./leasing-test-env.test-helpers.js";
import { REACQUIRE_BACKOFF_MS } from "./lease-cache.js";

/** Stops this process's event loop (nothing of it runs: no timer, no keepalive, no watch event) until `done()`, at most `maxMs`. */
function blockEventLoop(done: () => boolean, maxMs: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const end = performance.now() + maxMs;
  while (!done()) {
    if (performance.now() > end) throw new Error("the other process did not finish in time");
    Atomics.wait(cell, 0, 0, 50);
  }
}

describe("Go leasing's bugs, fixed (real etcd)", () => {
  let cluster: EtcdCluster;
  let plain: KV;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    plain = createKV(connect(cluster.clientUrls));
  });
  afterEach(() => cluster.members[0]!.proxy!.setMode("pass"));
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  const proxy = () => cluster.members[0]!.proxy!;
  const ownershipKey = (prefix: string, key: string): string => `${prefix}${key}`;

  it("etcd-io/etcd#19091: after a pause past its lease's deadline, the owner answers a get and a read-only txn from etcd, not from its cache", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const owner = await leasing(connect(cluster.clientUrls), prefix, { ttl: 2 });
    await plain.put(key, "abc");
    expect((await owner.get(key)).kv?.text()).toBe("abc");
    expect(owner.stats.cachedKeys).toBe(1);
    const dir = mkdtempSync(join(tmpdir(), "leasing-19091-"));
    const marker = join(dir, "written");
    // Another process waits until etcd expired the owner's lease (its ownership key is gone), then
    // writes the key, as any writer may once nobody owns it.
    const script = [
      `until [ -z "$("$ETCDCTL" --endpoints="$EP" get "$OWN" -w json | grep '"count"')" ]; do sleep 0.1; done`,
      `"$ETCDCTL" --endpoints="$EP" put "$KEY" def >/dev/null && touch "$MARKER"`,
    ].join("\n");
    spawn("sh", ["-c", script], {
      env: { ...process.env, ETCDCTL_API: "3", ETCDCTL: findEtcdctlBinary(), EP: cluster.clientUrls[0], OWN: ownershipKey(prefix, key), KEY: key, MARKER: marker },
      stdio: "ignore",
    });
    try {
      blockEventLoop(() => existsSync(marker), 20_000); // the owner's process is paused past its lease
      // Right after the pause, before any timer or event of this process ran: the session is not
      // marked lost yet, the ownership key's delete event not processed. Only the lease's deadline
      // (on the monotonic clock) tells the cache may be stale.
      const read = owner.get(key);
      const txn = owner.txn().then(op.get(key)).commit();
      expect((await read).kv?.text()).toBe("def");
      expect(((await txn).responses[0] as RangeResult).kvs[0]?.text()).toBe("def");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("wait channels (etcd-io/etcd#20704): while the owner's own write is applied but not acknowledged, its reads do not return the value before it", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const owner = await leasing(connect([proxy().url]), prefix);
    await plain.put(key, "v0");
    await owner.get(key);
    proxy().setMode("drop-responses");
    const write = owner.put(key, "v1");
    await eventually(async () => (await plain.get(key)).kv?.text() === "v1", 5_000, "the put to be applied");
    // Another client has seen v1; a read the owner starts now must not return v0.
    const read = await owner.get(key, { timeoutMs: 300 }).then(({ kv }) => kv?.text(), (err: unknown) => (isEtcdError(err) ? err.reason : String(err)));
    expect(read).not.toBe("v0");
    proxy().setMode("pass");
    await write;
    expect((await owner.get(key)).kv?.text()).toBe("v1");
  });

  it("Go's put after an error: a put whose answer was lost is not sent again (applied once, failed with outcomeUnknown)", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const owner = await leasing(connect([proxy().url]), prefix);
    const { revision: before } = await plain.put(key, "v0");
    await owner.get(key);
    proxy().setMode("drop-responses");
    const write = errorOf(owner.put(key, "v1", { timeoutMs: 5_000 }));
    await eventually(async () => (await plain.get(key)).kv?.text() === "v1", 5_000, "the put to be applied");
    proxy().setMode("reset"); // the connection breaks: the answer is lost for good
    setTimeout(() => proxy().setMode("pass"), 200);
    const error = await write;
    await sleep(1_000); // time for a resend to land, if there were one
    const watch = createWatch(connect(cluster.clientUrls)).watch(key, { prefix: true, startRevision: before + 1n });
    await plain.put(`${key}-end`, "x");
    const events: string[] = [];
    for await (const batch of watch) {
      events.push(...batch.events.map((e) => `${e.kv.keyText() === key ? "" : "end:"}${e.kv.text()}`));
      if (events.some((e) => e.startsWith("end:"))) break;
    }
    expect(events).toEqual(["v1", "end:x"]); // v1 written once
    expect(isEtcdError(error) && error.outcomeUnknown).toBe(true);
  });

  it("Go's cache update of a put with a lease: the owner does not keep the key cached past that lease", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const owner = await leasing(connect(cluster.clientUrls), prefix);
    await plain.put(key, "abc");
    await owner.get(key);
    const lease = await createLease(connect(cluster.clientUrls)).grant(30);
    await owner.put(key, "v", { lease: lease.id });
    expect((await owner.get(key)).kv?.text()).toBe("v");
    await lease.revoke(); // etcd deletes the key
    expect((await owner.get(key)).kv).toBeUndefined();
  });

  it("Go's cache update of an ignoreValue put: the cache does not answer an empty value", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const owner = await leasing(connect(cluster.clientUrls), prefix);
    await plain.put(key, "abc");
    await owner.get(key);
    await owner.put(key, { ignoreValue: true });
    expect(snapshot(await owner.range(key))).toEqual(snapshot(await plain.range(key)));
  });

  it("Go's 'already the owner' acquisition: the owner does not cache a key that got a lease of its own", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const owner = await leasing(connect(cluster.clientUrls), prefix);
    await plain.put(key, "abc");
    await owner.get(key);
    const lease = await createLease(connect(cluster.clientUrls)).grant(30);
    await owner.put(key, "v", { lease: lease.id }); // the ownership key stays this session's
    await sleep(REACQUIRE_BACKOFF_MS + 100);
    expect((await owner.get(key)).kv?.text()).toBe("v"); // a new acquisition finds its own ownership key
    await lease.revoke();
    expect((await owner.get(key)).kv).toBeUndefined();
  });

  it("Go's 'already the owner' acquisition: a key whose ownership key holds a writer's REVOKE is not cached again while it is being given up", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    // The owner's delete of its ownership key (the rescind) is held up on its way out; the owner's
    // connection goes through the proxy, the writer's does not.
    const transport = holdRequests(connect([proxy().url]), (method, input) => method === "Txn" && requestText(input).includes("requestDeleteRange") && requestText(input).includes(prefix));
    const owner = await leasing(transport, prefix);
    const writer = await leasing(connect(cluster.clientUrls), prefix);
    await plain.put(key, "v0");
    await owner.get(key);
    const write = writer.put(key, "v1");
    await eventually(() => transport.held === 1, 5_000, "the owner's rescind");
    await sleep(REACQUIRE_BACKOFF_MS + 100); // past the back-off: the owner acquires the key again
    expect((await owner.get(key)).kv?.text()).toBe("v0"); // the writer still waits: v0 is current
    // The rescind reaches etcd, but nothing etcd sends the owner arrives (not even the delete
    // event of its ownership key): the writer goes on and writes v1.
    proxy().setMode("drop-responses");
    transport.release();
    expect(await within(write.then(() => "written"), 10_000)).toBe("written");
    const read = await owner.get(key, { timeoutMs: 300 }).then(({ kv }) => kv?.text(), (err: unknown) => (isEtcdError(err) ? err.reason : String(err)));
    expect(read).not.toBe("v0");
    proxy().setMode("pass");
    expect((await owner.get(key)).kv?.text()).toBe("v1");
  });

  it("Go's EvictRange (etcd-io/etcd#21589): after a range delete whose answer was lost, no key of the range is served from the cache", async () => {
    const prefix = `${unique("pfx")}/`;
    const ns = unique("keys");
    const transport = loseFirstAnswer(connect(cluster.clientUrls), (method, input) => method === "Txn" && requestText(input).includes("requestDeleteRange"));
    const owner = await leasing(transport, prefix);
    for (const i of [1, 2, 3]) {
      await plain.put(`${ns}/a/${i}`, "v");
      await owner.get(`${ns}/a/${i}`);
    }
    expect(owner.stats.cachedKeys).toBe(3);
    const error = await errorOf(owner.delete(`${ns}/a/`, { prefix: true }));
    expect([transport.lost, isEtcdError(error) && error.outcomeUnknown]).toEqual([1, true]);
    expect((await plain.getPrefix(`${ns}/a/`)).count).toBe(0);
    for (const i of [1, 2, 3]) expect((await owner.get(`${ns}/a/${i}`)).kv).toBeUndefined();
  });

  it("Go's fromKey deletes: a range delete to the end of the keyspace makes the owners in it give their keys up", async () => {
    const prefix = `0/${unique("pfx")}/`;
    const ns = `zzzz-${unique("keys")}`; // after every other key of these tests: the delete stays in it
    const owner = await leasing(connect(cluster.clientUrls), prefix);
    const deleter = await leasing(connect(cluster.clientUrls), prefix);
    await plain.put(`${ns}/m`, "v");
    await owner.get(`${ns}/m`);
    expect((await deleter.delete(`${ns}/l`, { fromKey: true })).deleted).toBe(1);
    expect((await owner.get(`${ns}/m`)).kv).toBeUndefined();
  });

  it("Go's deletes of the ownership prefix: a write reaching into the ownership prefix is refused before any I/O", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const owner = await leasing(connect(cluster.clientUrls), prefix);
    await owner.get(key);
    expect(await reasonOf(owner.delete(prefix, { prefix: true }))).toBe("invalid-argument");
    expect(await reasonOf(owner.delete(prefix.slice(0, -1), { fromKey: true }))).toBe("invalid-argument");
    expect(await reasonOf(owner.put(`${prefix}forged`, "x"))).toBe("invalid-argument");
    expect(await reasonOf(owner.txn().then(op.delete(prefix, { prefix: true })).commit())).toBe("invalid-argument");
    expect((await plain.get(ownershipKey(prefix, key))).kv?.lease).not.toBe(0n);
  });

  it("Go's cached comparisons: a txn answered from the cache compares a missing key's value and a key's lease as etcd does", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const missing = unique("missing");
    const owner = await leasing(connect(cluster.clientUrls), prefix);
    await plain.put(key, "abc");
    await owner.get(key);
    await owner.get(missing);
    const txns = [
      () => owner.txn().if(compare.value(missing, "=", "")).then(op.get(key)),
      () => owner.txn().if(compare.value(missing, "!=", "x")).then(op.get(key)),
      () => owner.txn().if(compare.lease(key, "=", 12345n)).then(op.get(key)),
      () => owner.txn().if(compare.lease(missing, "=", 0n)).then(op.get(key)),
      () => owner.txn().if(compare.version(missing, "=", 0)).then(op.get(key)),
    ];
    const hits = owner.stats.hits;
    for (const txn of txns) {
      const mine = await txn().commit();
      const etcd = await plain.do(txn().toOp());
      expect(mine.succeeded).toBe(etcd.succeeded);
    }
    expect(owner.stats.hits - hits).toBe(txns.length); // all answered from the cache
  });

  it("Go's txn wait (etcd-io/etcd#20704): a txn comparing a key the owner is writing is not answered from the cache", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const other = unique("j");
    const owner = await leasing(connect([proxy().url]), prefix);
    await plain.put(key, "v0");
    await plain.put(other, "x");
    await owner.get(key);
    await owner.get(other);
    proxy().setMode("drop-responses");
    const write = owner.put(key, "v1");
    await eventually(async () => (await plain.get(key)).kv?.text() === "v1", 5_000, "the put to be applied");
    const txn = await owner.txn().if(compare.value(key, "=", "v0")).then(op.get(other)).commit({ timeoutMs: 300 }).then(
      (result) => (result.succeeded ? "succeeded (stale)" : "failed"),
      (err: unknown) => (isEtcdError(err) ? err.reason : String(err)),
    );
    expect(txn).not.toBe("succeeded (stale)");
    proxy().setMode("pass");
    await write;
  });

  it("Go's txn revoke of its own keys: a txn writing a key whose ownership key is this session's but untracked does not retry forever", async () => {
    const prefix = `${unique("pfx")}/`;
    const key = unique("k");
    const owner = await leasing(connect([proxy().url]), prefix);
    proxy().setMode("drop-responses");
    expect(await reasonOf(owner.get(key, { timeoutMs: 500 }))).toBe("deadline-exceeded"); // the acquisition was applied, its answer held
    proxy().setMode("pass");
    await eventually(async () => (await plain.get(ownershipKey(prefix, key))).kv !== undefined, 5_000, "the ownership key");
    const result = await owner.txn().then(op.put(key, "x")).commit({ timeoutMs: 5_000 });
    expect(result.succeeded).toBe(true);
    expect((await plain.get(key)).kv?.text()).toBe("x");
  });

  it("Go's Close: close() releases every ownership key at once (Go leaves them to expire), so a writer is not held up", async () => {
    const prefix = `${unique("pfx")}/`;
    const keys = [unique("a"), unique("b")];
    const owner = await leasing(connect(cluster.clientUrls), prefix);
    const writer = await leasing(connect(cluster.clientUrls), prefix);
    for (const key of keys) await owner.get(key);
    expect((await plain.getPrefix(prefix)).count).toBe(2);
    await owner.close();
    expect((await plain.getPrefix(prefix)).count).toBe(0);
    await writer.put(keys[0]!, "v");
    expect(writer.stats.revokes).toBe(0);
    expect(await reasonOf(owner.get(keys[0]!))).toBe("canceled");
  });
});
