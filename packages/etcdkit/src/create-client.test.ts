/**
 * createClient against a real etcd: every service on one transport and one connection, services
 * created on first use, namespaced clients whose kv, watch and lease stay inside their prefix,
 * the client as the source of the client-side packages (mirror, naming, ordering), Go's
 * clientv3util guards, and close() ending watches and keepalives before the connections.
 */
import { createEndpointManager } from "@etcdkit/naming";
import { createSyncer } from "@etcdkit/mirror";
import { createOrderingKV } from "@etcdkit/ordering";
import { op } from "@etcdkit/kv";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError } from "@etcdkit/transport";
import { createWatch, type Watch, type WatchBatch } from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMutex } from "@etcdkit/concurrency";
import { createClient } from "./create-client.js";
import { keyExists, keyMissing } from "./key-compares.js";

async function nextBatch(watch: Watch): Promise<WatchBatch> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no batch within 10 s")), 10_000).unref());
  const result = await Promise.race([watch.next(), timeout]);
  if (result.done === true) throw new Error("the watch ended");
  return result.value;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("createClient, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("every service works over one transport and one connection", async () => {
    await using client = createClient({ endpoints: cluster.endpoints, dialTimeoutMs: 5_000 });
    const watch = client.watch.watch("svc/", { prefix: true });
    await watch.ready;
    const { revision } = await client.kv.put("svc/a", "1");
    expect((await nextBatch(watch)).revision).toBe(revision);
    await using lease = await client.lease.grant(30);
    await client.kv.put("svc/b", "2", { lease: lease.id });
    expect((await client.lease.timeToLive(lease.id, { keys: true })).keys.map(text)).toEqual(["svc/b"]);
    expect((await client.cluster.memberList()).members).toHaveLength(1);
    const status = await client.maintenance.status(cluster.endpoints[0]!);
    expect(status.version).toMatch(/^3\./);
    expect(Array.isArray((await client.auth.userList()).users)).toBe(true);
    expect(client.transport.stats.connections).toBe(1);
    watch.cancel();
  });

  it("creates services on first use: a KV-only program opens no watch or keepalive stream", async () => {
    await using client = createClient({ endpoints: cluster.endpoints });
    await client.kv.put("lazy/k", "v");
    expect(createWatch(client.transport).stats.streamsOpened).toBe(0);
    expect(client.transport.stats.streams).toBe(1); // the put, nothing else
    expect(client.kv).toBe(client.kv);
  });

  it("a namespaced client's kv, watch and lease stay inside its prefix", async () => {
    await using client = createClient({ endpoints: cluster.endpoints });
    const app = client.namespace("app/");
    expect(client.namespace("app/")).toBe(app);
    expect(text(app.prefix)).toBe("app/");
    expect(app.cluster).toBe(client.cluster);
    const watch = app.watch.watch("", { prefix: true, prevKv: true });
    await watch.ready;
    await client.kv.put("app0", "outside");
    await client.kv.put("config", "outside");
    await app.kv.put("config", "inside");
    const batch = await nextBatch(watch);
    expect(batch.events.map((e) => `${e.type} ${e.kv.keyText()}=${e.kv.text()}`)).toEqual(["put config=inside"]);
    expect((await client.kv.get("app/config"))?.text()).toBe("inside");
    expect((await app.kv.getAll()).kvs.map((item) => item.keyText())).toEqual(["config"]);

    await using lease = await app.lease.grant(30);
    await app.kv.put("worker", "up", { lease: lease.id });
    await client.kv.put("elsewhere", "up", { lease: lease.id });
    expect((await app.lease.timeToLive(lease.id, { keys: true })).keys.map(text)).toEqual(["worker"]);

    const deeper = app.namespace("team/");
    expect(text(deeper.prefix)).toBe("app/team/");
    await deeper.kv.put("k", "v");
    expect((await client.kv.get("app/team/k"))?.text()).toBe("v");
    watch.cancel();
  });

  it("is the source of the client-side packages: naming in a namespace, mirror, ordering", async () => {
    await using client = createClient({ endpoints: cluster.endpoints });
    const team = client.namespace("team/");
    await createEndpointManager(team, "svc").add("svc/10.0.0.1:1", { addr: "10.0.0.1:1" });
    expect((await client.kv.get("team/svc/10.0.0.1:1"))?.text()).toBe('{"Op":0,"Addr":"10.0.0.1:1","Metadata":null}');
    const keys: string[] = [];
    for await (const page of createSyncer(team, "svc/").syncBase()) keys.push(...page.kvs.map((item) => item.keyText()));
    expect(keys).toEqual(["svc/10.0.0.1:1"]);
    const ordered = createOrderingKV(team.transport);
    expect((await ordered.get("svc/10.0.0.1:1", { serializable: true }))?.keyText()).toBe("svc/10.0.0.1:1");
  });

  it("session() and stm() build on the client's transport (inside a namespace too); close() revokes the sessions it made", async () => {
    const client = createClient({ endpoints: cluster.endpoints });
    const other = createClient({ endpoints: cluster.endpoints });
    try {
      const app = client.namespace("conc-app/");
      const session = await app.session({ ttl: 30 });
      const held = await createMutex(session, "locks/a").lock();
      // The lock key is inside the namespace: the root sees it under the prefix only.
      const keys = (await client.kv.getPrefix("conc-app/locks/a/")).kvs.map((kv) => kv.keyText());
      expect(keys).toEqual([`conc-app/${held.key}`]);
      expect((await other.kv.getPrefix("locks/a/")).kvs).toHaveLength(0);

      await client.kv.put("conc-counter", "1");
      const result = await client.stm(async (stm) => {
        const value = Number(await stm.get("conc-counter"));
        stm.put("conc-counter", String(value + 1));
        return value;
      });
      expect(result.value).toBe(1);
      expect((await client.kv.get("conc-counter"))?.text()).toBe("2");

      // Closing the client revokes the session: a waiter elsewhere gets the lock at once, long
      // before the 30 s TTL would have run out.
      const otherSession = await other.namespace("conc-app/").session({ ttl: 30 });
      const waiting = createMutex(otherSession, "locks/a").lock({ timeoutMs: 10_000 });
      await client.close();
      expect((await session.lost).reason).toBe("closed"); // closed by its client: revoked, not orphaned
      await (await waiting).unlock();
    } finally {
      await client.close();
      await other.close();
    }
  });

  it("keyExists / keyMissing guard txns as Go's clientv3util", async () => {
    await using client = createClient({ endpoints: cluster.endpoints });
    const create = () => client.kv.txn().if(keyMissing("util/k")).then(op.put("util/k", "first")).commit();
    expect((await create()).succeeded).toBe(true);
    expect((await create()).succeeded).toBe(false);
    const read = await client.kv.txn().if(keyExists("util/k")).then(op.get("util/k")).commit();
    expect(read.succeeded).toBe(true);
    expect(() => keyExists("")).toThrow();
  });

  it("close() ends watches (namespaced ones too) quietly and stops keepalives, then closes the connections", async () => {
    const client = createClient({ endpoints: cluster.endpoints });
    const rootWatch = client.watch.watch("c/");
    const appWatch = client.namespace("app/").watch.watch("c/");
    await Promise.all([rootWatch.ready, appWatch.ready]);
    const lease = await client.lease.grant(30, { keepAlive: true });
    await client.close();
    expect(await rootWatch.next()).toEqual({ done: true, value: undefined });
    expect(await appWatch.next()).toEqual({ done: true, value: undefined });
    expect((await lease.lost).reason).toBe("closed");
    expect(isEtcdError(await client.kv.get("c/k").catch((e: unknown) => e), "transport-closed")).toBe(true);
    await client.close(); // idempotent
    expect(() => client.namespace("x/")).toThrow(/closed/);
  });

  it("closing a namespaced client ends only its own watches", async () => {
    await using client = createClient({ endpoints: cluster.endpoints });
    const app = client.namespace("app2/");
    const appWatch = app.watch.watch("k");
    const rootWatch = client.watch.watch("k");
    await Promise.all([appWatch.ready, rootWatch.ready]);
    await app.close();
    expect(await appWatch.next()).toEqual({ done: true, value: undefined });
    await client.kv.put("k", "still watched");
    expect((await nextBatch(rootWatch)).events[0]?.kv.text()).toBe("still watched");
    expect(client.namespace("app2/")).not.toBe(app); // a closed namespaced client is replaced
    rootWatch.cancel();
  });

  it("bad config fails invalid-argument before any I/O", () => {
    expect(() => createClient({ endpoints: [] })).toThrow(/endpoints/);
    expect(() => createClient({ endpoints: ["ftp://x:1"] })).toThrow();
  });
});
