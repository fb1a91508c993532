/**
 * The gateway transport against real etcd (JSON over HTTP/1.1 on the client port): the service
 * packages on it unchanged (KV, txn, watch with resume, lease keepalive, auth), the gRPC path's
 * error reasons, retries and unknown write outcomes, deadlines and close.
 */
import { createClient } from "@connectrpc/connect";
import { KV, Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createAuth } from "@etcdkit/auth";
import { createCluster } from "@etcdkit/cluster";
import { createMaintenance } from "@etcdkit/maintenance";
import { compare, createKV, op } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createWatch, type WatchBatch } from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { createTransport } from "../transport/create-transport.js";
import { createGatewayTransport } from "./create-gateway-transport.js";

let cluster: EtcdCluster;
beforeAll(async () => {
  cluster = await startEtcd({ members: 1, proxy: true });
});
afterAll(async () => {
  await cluster?.[Symbol.asyncDispose]();
});

let n = 0;
const unique = (name: string) => `/gateway-test/${name}/${++n}/`;

describe("the gateway transport with the service packages", () => {
  it("KV: put, get, range options, delete and a txn, with binary values", async () => {
    await using transport = createGatewayTransport({ endpoints: cluster.clientUrls });
    const kv = createKV(transport);
    const p = unique("kv");
    const binary = new Uint8Array([0, 255, 128, 10, 13]);
    const first = await kv.put(`${p}a`, binary);
    await kv.put(`${p}b`, "2");
    await kv.put(`${p}c`, "3");
    expect((await kv.get(`${p}a`))?.value).toEqual(binary);
    const page = await kv.getPrefix(p, { sort: { target: "key", order: "descend" }, limit: 2 });
    expect(page.kvs.map((k) => k.keyText())).toEqual([`${p}c`, `${p}b`]);
    expect([page.more, page.count]).toEqual([true, 3]);
    const txn = await kv
      .txn()
      .if(compare.value(`${p}b`, "=", "2"), compare.modRevision(`${p}a`, "=", first.revision))
      .then(op.put(`${p}b`, "20"), op.get(`${p}b`))
      .else(op.get(`${p}a`))
      .commit();
    expect(txn.succeeded).toBe(true);
    expect(txn.responses[1]).toMatchObject({ kvs: [{ version: 2 }] });
    const failed = await kv.txn().if(compare.version(`${p}zzz`, ">", 0)).then(op.put(`${p}x`, "x")).commit();
    expect(failed.succeeded).toBe(false); // etcd omits `succeeded: false`: read as the default
    const { deleted } = await kv.delete(p, { prefix: true, prevKv: true });
    expect(deleted).toBe(3);
  });

  it("maps etcd's errors to the gRPC path's reasons and rejects bad input before any request", async () => {
    await using transport = createGatewayTransport({ endpoints: cluster.clientUrls });
    const kv = createKV(transport);
    const future = await kv.get("k", { revision: 1_000_000n }).catch((e: unknown) => e);
    expect(isEtcdError(future, "future-revision")).toBe(true);
    const requests = transport.stats.requests;
    const empty = await kv.put("", "v").catch((e: unknown) => e);
    expect(isEtcdError(empty, "empty-key")).toBe(true);
    const raw = createClient(KV, transport);
    const bad = await raw.range({ key: "not bytes" as unknown as Uint8Array }).catch((e: unknown) => e);
    expect(isEtcdError(bad, "invalid-argument")).toBe(true);
    expect(transport.stats.requests).toBe(requests);
    // The compacted revision, as on gRPC.
    const p = unique("compact");
    const { revision } = await kv.put(`${p}k`, "1");
    await kv.put(`${p}k`, "2");
    await kv.compact(revision + 1n);
    const compacted = await kv.get(`${p}k`, { revision }).catch((e: unknown) => e);
    expect(isEtcdError(compacted, "compacted")).toBe(true);
  });

  it("watch: events in order, and after the connection is cut it resumes from the next revision (nothing lost, nothing repeated)", async () => {
    const member = cluster.members[0]!;
    await using transport = createGatewayTransport({ endpoints: [member.endpoint] }); // through the proxy
    await using writer = createTransport({ endpoints: cluster.clientUrls });
    const kv = createKV(writer);
    const watcher = createWatch(transport);
    const p = unique("watch");
    const watch = watcher.watch(p, { prefix: true });
    await watch.ready;
    const seen: string[] = [];
    const iterator = watch[Symbol.asyncIterator]();
    const next = async (): Promise<WatchBatch> => (await iterator.next()).value as WatchBatch;
    await kv.put(`${p}1`, "a");
    for (const e of (await next()).events) seen.push(`${e.type}:${e.kv.keyText()}`);
    member.proxy!.setMode("reset"); // the watch request's connection is cut, and new ones refused
    await kv.put(`${p}2`, "b");
    await kv.delete(`${p}1`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    member.proxy!.setMode("pass");
    await kv.put(`${p}3`, "c");
    while (seen.length < 4) for (const e of (await next()).events) seen.push(`${e.type}:${e.kv.keyText()}`);
    expect(seen).toEqual([`put:${p}1`, `put:${p}2`, `delete:${p}1`, `put:${p}3`]);
    await iterator.return?.();
    await watcher.close();
  });

  it("watch: several watches share the stream; ending one leaves the others running", async () => {
    await using transport = createGatewayTransport({ endpoints: cluster.clientUrls });
    await using writer = createTransport({ endpoints: cluster.clientUrls });
    const kv = createKV(writer);
    const watcher = createWatch(transport);
    const p = unique("watches");
    const a = watcher.watch(`${p}a`);
    const b = watcher.watch(`${p}b`);
    await Promise.all([a.ready, b.ready]);
    a.cancel();
    await kv.put(`${p}a`, "1");
    await kv.put(`${p}b`, "2");
    for await (const batch of b) {
      expect(batch.events.map((e) => e.kv.keyText())).toEqual([`${p}b`]);
      break;
    }
    await watcher.close();
  });

  it("lease: keepalive renews by one request per renewal (each answered once), the key outlives 3×TTL, revoke removes it", async () => {
    await using transport = createGatewayTransport({ endpoints: cluster.clientUrls });
    const leases = createLease(transport);
    const kv = createKV(transport);
    const p = unique("lease");
    const lease = await leases.grant(2);
    await kv.put(`${p}k`, "v", { lease: lease.id });
    lease.keepAlive();
    const before = transport.stats.requests;
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await kv.get(`${p}k`)).toBeDefined();
    expect(transport.stats.requests - before).toBeGreaterThanOrEqual(4); // renewals at TTL/3
    const { ttl } = await leases.timeToLive(lease.id);
    expect(ttl).toBeGreaterThan(0);
    await lease.revoke();
    expect(await kv.get(`${p}k`)).toBeUndefined();
    expect((await lease.lost).reason).toBe("revoked");
  });

  it("cluster and maintenance, including the calls that address one member (forEndpoint)", async () => {
    await using transport = createGatewayTransport({ endpoints: cluster.clientUrls });
    const { members } = await createCluster(transport).memberList();
    expect(members.map((m) => m.clientUrls)).toEqual([[cluster.clientUrls[0]]]);
    const leader = await createCluster(transport).leader();
    expect(leader.id).toBe(members[0]!.id);
    const status = await createMaintenance(transport).status(cluster.clientUrls[0]!);
    expect(status.version).toMatch(/^3\.\d+\.\d+$/);
    expect(status.leader).toBe(members[0]!.id);
  });

  it("snapshot streams over the gateway: blobs until nothing remains", async () => {
    await using transport = createGatewayTransport({ endpoints: cluster.clientUrls });
    let bytes = 0;
    let remaining = -1n;
    for await (const chunk of createClient(Maintenance, transport).snapshot({})) {
      bytes += chunk.blob.length;
      remaining = chunk.remainingBytes;
    }
    expect(bytes).toBeGreaterThan(1000);
    expect(remaining).toBe(0n);
  });
});

describe("the gateway transport's call rules", () => {
  it("reads fail over to a live endpoint; a write whose answer is lost fails outcome-unknown and is applied once", async () => {
    const member = cluster.members[0]!;
    const dead = "http://127.0.0.1:9"; // nothing listens: the connection is refused
    await using transport = createGatewayTransport({ endpoints: [dead, member.endpoint] });
    const kv = createKV(transport);
    const p = unique("rules");
    for (let i = 0; i < 4; i++) await kv.get(`${p}x`); // every read answered, whichever endpoint it tried first
    await kv.put(`${p}k`, "0"); // a refused connection proves the write was not sent: it went to the other endpoint
    member.proxy!.setMode("drop-responses");
    try {
      const lost = await createKV(createGatewayTransport({ endpoints: [member.endpoint] }))
        .put(`${p}k`, "1", { timeoutMs: 1_500 })
        .catch((e: unknown) => e);
      expect(isEtcdError(lost)).toBe(true);
      expect((lost as { outcomeUnknown: boolean }).outcomeUnknown).toBe(true);
    } finally {
      member.proxy!.setMode("pass");
    }
    await using direct = createTransport({ endpoints: cluster.clientUrls });
    expect((await createKV(direct).get(`${p}k`))?.version).toBe(2); // applied once, not resent
  });

  it("a blackholed endpoint: the call ends at its deadline; close() ends pending calls with transport-closed", async () => {
    const member = cluster.members[0]!;
    const transport = createGatewayTransport({ endpoints: [member.endpoint] });
    const kv = createKV(transport);
    member.proxy!.setMode("blackhole");
    try {
      const late = await kv.get("k", { timeoutMs: 500 }).catch((e: unknown) => e);
      expect(isEtcdError(late, "deadline-exceeded")).toBe(true);
      const pending = kv.get("k").catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await transport.close();
      expect(isEtcdError(await pending, "transport-closed")).toBe(true);
      expect(isEtcdError(await kv.get("k").catch((e: unknown) => e), "transport-closed")).toBe(true);
    } finally {
      member.proxy!.setMode("pass");
    }
  });
});

describe("the gateway transport with auth", () => {
  let secured: EtcdCluster;
  beforeAll(async () => {
    secured = await startEtcd({ members: 1, flags: ["--auth-token-ttl=2"] });
    await using admin = createTransport({ endpoints: secured.clientUrls });
    const auth = createAuth(admin);
    await auth.roleAdd("root");
    await auth.userAdd("root", "root-pw");
    await auth.userGrantRole("root", "root");
    await auth.enable();
  });
  afterAll(async () => {
    await secured?.[Symbol.asyncDispose]();
  });

  it("authenticates once for concurrent calls, sends the raw token, and replaces it when it expires", async () => {
    await using transport = createGatewayTransport({ endpoints: secured.clientUrls, auth: { username: "root", password: "root-pw" } });
    const kv = createKV(transport);
    await Promise.all(Array.from({ length: 8 }, (_, i) => kv.put(`a/${i}`, "v")));
    expect(transport.stats.authentications).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 3_500)); // past --auth-token-ttl
    expect((await kv.get("a/1"))?.text()).toBe("v");
    expect(transport.stats.authentications).toBe(2);
    const watcher = createWatch(transport);
    const watch = watcher.watch("a/", { prefix: true });
    await watch.ready;
    await kv.put("a/9", "w");
    for await (const batch of watch) {
      expect(batch.events[0]!.kv.keyText()).toBe("a/9");
      break;
    }
    await watcher.close();
  });

  it("a wrong password fails auth-failed once (not retried); without credentials etcd's user-empty", async () => {
    await using transport = createGatewayTransport({ endpoints: secured.clientUrls, auth: { username: "root", password: "wrong" } });
    const failure = await createKV(transport).get("a").catch((e: unknown) => e);
    expect(isEtcdError(failure, "auth-failed")).toBe(true);
    expect(String(failure)).not.toContain("wrong");
    expect(transport.stats.authentications).toBe(1);
    await using anonymous = createGatewayTransport({ endpoints: secured.clientUrls });
    expect(isEtcdError(await createKV(anonymous).get("a").catch((e: unknown) => e), "user-empty")).toBe(true);
  });
});
