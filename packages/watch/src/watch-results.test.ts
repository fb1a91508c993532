/**
 * What watch results carry and how they serialize, against a real etcd: the header of etcd's
 * answer on every batch (events and progress), `JSON.stringify` and `util.inspect` of a batch, a
 * watch and a list-then-watch.
 */
import { inspect } from "node:util";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { toBytes, type ResponseHeader } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listThenWatch } from "./list-then-watch.js";
import { collectEvents, connectWatch, uniquePrefix, type WatchEnv } from "./watch-test-env.test-helpers.js";

describe("watch results: headers, JSON and inspect (real etcd)", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  beforeAll(async () => {
    cluster = await startEtcd();
    env = connectWatch(cluster.endpoints);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  const fromEtcd = (header: ResponseHeader): void => {
    expect(header.memberId).not.toBe(0n);
    expect(header.clusterId).not.toBe(0n);
    expect(header.raftTerm).toBeGreaterThan(0n);
  };
  const json = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

  it("event and progress batches carry the header of etcd's answer", async () => {
    const p = uniquePrefix("header");
    const watch = env.watcher.watch(p, { prefix: true, progressNotify: true });
    await watch.ready;
    const revision = await env.put(`${p}a`, "1");
    const [batch] = await collectEvents(watch, 1);
    fromEtcd(batch!.header);
    expect(batch!.header.revision).toBeGreaterThanOrEqual(revision);
    env.watcher.requestProgress();
    for (;;) {
      const next = await watch.next();
      if (next.done === true) throw new Error("the watch ended");
      if (!next.value.progress) continue;
      fromEtcd(next.value.header);
      expect(next.value.revision).toBe(next.value.header.revision);
      break;
    }
    watch.cancel();
  });

  it("JSON.stringify of a batch, a watch and a list-then-watch: revisions as decimal strings, keys and values as text", async () => {
    const p = uniquePrefix("json");
    const watch = env.watcher.watch(p, { prefix: true, prevKv: true });
    await watch.ready;
    const first = await env.put(`${p}a`, "1");
    await env.kv.put({ key: toBytes(`${p}a`), value: new Uint8Array([0xff]) });
    const batches = await collectEvents(watch, 2);
    const events = batches.flatMap((b) => b.events);
    const second = events[1]!;
    expect(json(batches[0])).toMatchObject({
      revision: String(first),
      progress: false,
      events: [{ type: "put", isCreate: true, kv: { key: `${p}a`, value: "1", version: 1, lease: "0" } }],
      header: { memberId: String(batches[0]!.header.memberId) },
    });
    expect(json(batches.at(-1))).toMatchObject({
      events: [...(batches.length === 1 ? [{}] : []), { kv: { value: { base64: "/w==" } }, prevKv: { value: "1" } }],
    });
    expect(second.kv.modRevision).toBe(first + 1n);
    expect(json(watch)).toEqual({ key: p, nextRevision: String(first + 2n), state: "active" });
    const listed = await listThenWatch(env.watcher, p, { prefix: true });
    fromEtcd(listed.header);
    expect(listed.header.revision).toBe(listed.revision);
    expect(json(listed)).toMatchObject({
      revision: String(listed.revision),
      kvs: [{ key: `${p}a`, value: { base64: "/w==" } }],
      watch: { key: p, nextRevision: String(listed.revision + 1n) },
    });
    listed.watch.cancel();
    watch.cancel();
    expect(json(watch)).toMatchObject({ state: "ended" });
  });

  it("util.inspect shows a batch's keys and values as text", async () => {
    const p = uniquePrefix("inspect");
    const watch = env.watcher.watch(p, { prefix: true });
    await watch.ready;
    await env.put(`${p}greeting`, "hello");
    const [batch] = await collectEvents(watch, 1);
    const text = inspect(batch, { depth: 5 });
    expect(text).toMatch(/^WatchBatch \{/);
    expect(text).toContain(`key: '${p}greeting'`);
    expect(text).toContain("value: 'hello'");
    expect(inspect(watch, { breakLength: Infinity })).toMatch(/^WatchSubscription \{ key: '.*', end: undefined, nextRevision: \d+n, state: 'active' \}$/);
    watch.cancel();
  });
});
