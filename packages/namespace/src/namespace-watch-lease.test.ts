/**
 * namespaceTransport with Watch, Lease and the server-side Lock and Election services against a
 * real etcd: watches see only their namespace's events, with keys (and prevKv keys) stripped;
 * listThenWatch reads and watches inside the namespace; a lease's key list shows only its keys
 * inside the namespace, stripped; lock and leader keys are created inside and come back stripped.
 */
import { createClient } from "@connectrpc/connect";
import { Election } from "@etcdkit/api/v3electionpb/v3election_pb";
import { Lock } from "@etcdkit/api/v3lockpb/v3lock_pb";
import { createKV, type KV } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, toBytes, type EtcdTransport } from "@etcdkit/transport";
import { createWatch, listThenWatch, type Watch, type WatchBatch } from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namespaceTransport } from "./namespace-transport.js";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The next batch of a watch, or a failure after 10 s. */
async function nextBatch(watch: Watch): Promise<WatchBatch> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no batch within 10 s")), 10_000).unref());
  const result = await Promise.race([watch.next(), timeout]);
  if (result.done === true) throw new Error("the watch ended");
  return result.value;
}

describe("namespaceTransport with watch, lease, lock and election, against a real etcd", () => {
  let cluster: EtcdCluster;
  let transport: EtcdTransport;
  let root: KV;
  beforeAll(async () => {
    cluster = await startEtcd();
    transport = createTransport({ endpoints: cluster.endpoints });
    root = createKV(transport);
  });
  afterAll(async () => {
    await transport?.close();
    await cluster?.stop();
  });

  it("a watch of the whole namespace sees only its events, keys and prevKv keys stripped", async () => {
    const ns = namespaceTransport(transport, "w1/");
    const watch = createWatch(ns).watch("", { prefix: true, prevKv: true });
    await watch.ready;
    for (const key of ["w1", "w10", "w0/a", "a"]) await root.put(key, "outside");
    await root.put("w1/a", "1");
    await root.put("w1/a", "2");
    await root.delete("w1/a");
    const seen: string[] = [];
    while (seen.length < 3) {
      for (const event of (await nextBatch(watch)).events) {
        seen.push(`${event.type} ${event.kv.keyText()} prev=${event.prevKv?.keyText() ?? "-"}:${event.prevKv?.text() ?? "-"}`);
      }
    }
    expect(seen).toEqual(["put a prev=-:-", "put a prev=a:1", "delete a prev=a:2"]);
    watch.cancel();
  });

  it("fromKey and single-key watches stay inside; listThenWatch reads inside the namespace", async () => {
    const ns = namespaceTransport(transport, "w2/");
    const kv = createKV(ns);
    await kv.put("m", "0");
    await root.put("m", "outside");
    const watcher = createWatch(ns);
    const fromKey = watcher.watch("m", { fromKey: true });
    const single = watcher.watch("z");
    await Promise.all([fromKey.ready, single.ready]);
    const { kvs, watch: changes } = await listThenWatch(watcher, "", { prefix: true });
    expect(kvs.map((item) => `${item.keyText()}=${item.text()}`)).toEqual(["m=0"]);
    await root.put("w2z", "outside: the end of the namespace");
    await kv.put("z", "1");
    expect((await nextBatch(fromKey)).events.map((e) => e.kv.keyText())).toEqual(["z"]);
    expect((await nextBatch(single)).events.map((e) => e.kv.keyText())).toEqual(["z"]);
    expect((await nextBatch(changes)).events.map((e) => e.kv.keyText())).toEqual(["z"]);
    for (const w of [fromKey, single, changes]) w.cancel();
  });

  it("a lease lists only its keys inside the namespace, stripped", async () => {
    const ns = namespaceTransport(transport, "l1/");
    const leases = createLease(ns);
    await using lease = await leases.grant(60);
    await createKV(ns).put("mine", "1", { lease: lease.id });
    await root.put("elsewhere", "2", { lease: lease.id });
    await root.put("l1x", "3", { lease: lease.id });
    const viaClient = await leases.timeToLive(lease.id, { keys: true });
    expect(viaClient.keys.map(text)).toEqual(["mine"]);
    const viaLease = await lease.timeToLive({ keys: true });
    expect(viaLease.keys.map(text)).toEqual(["mine"]);
    const unscoped = await createLease(transport).timeToLive(lease.id, { keys: true });
    expect(unscoped.keys.map(text).sort()).toEqual(["elsewhere", "l1/mine", "l1x"]);
  });

  it("server-side locks and elections create their keys inside and return them stripped", async () => {
    const ns = namespaceTransport(transport, "s1/");
    const lease = await createLease(transport).grant(60);
    const lock = createClient(Lock, ns);
    const { key } = await lock.lock({ name: toBytes("locks/a"), lease: lease.id });
    expect(text(key).startsWith("locks/a/")).toBe(true);
    expect(await root.get(`s1/${text(key)}`)).toBeDefined();
    await lock.unlock({ key });
    expect(await root.get(`s1/${text(key)}`)).toBeUndefined();

    const election = createClient(Election, ns);
    const { leader } = await election.campaign({ name: toBytes("elect"), lease: lease.id, value: toBytes("me") });
    expect(text(leader!.name)).toBe("elect");
    expect(text(leader!.key).startsWith("elect/")).toBe(true);
    await election.proclaim({ leader, value: toBytes("me, again") });
    const current = await election.leader({ name: toBytes("elect") });
    expect(`${text(current.kv!.key)}=${text(current.kv!.value)}`).toBe(`${text(leader!.key)}=me, again`);
    expect((await root.get(`s1/${text(leader!.key)}`))?.text()).toBe("me, again");
    await election.resign({ leader });
    expect(await root.get(`s1/${text(leader!.key)}`)).toBeUndefined();
    await lease.revoke();
  });

  it("watchers on the same namespace share one watch stream", async () => {
    const ns = namespaceTransport(transport, "w3/");
    const a = createWatch(ns).watch("k");
    const b = createWatch(namespaceTransport(transport, "w3/")).watch("k");
    await Promise.all([a.ready, b.ready]);
    expect(createWatch(ns).stats).toEqual(createWatch(namespaceTransport(transport, "w3/")).stats);
    a.cancel();
    b.cancel();
  });
});
