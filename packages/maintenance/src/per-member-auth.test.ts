import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Auth, Cluster } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMaintenance } from "./create-maintenance.js";

const PASSWORD = "per-member-Pa55word";

/**
 * Calls that address one member (status, hash, hashKV, defragment, snapshot, moveLeader) go
 * through the shared transport's connection to that member, with its token: a health-check loop
 * must not cost a TCP/HTTP/2 handshake and an Authenticate (a raft write plus bcrypt) per call.
 */
describe("per-member maintenance calls with auth on three members", () => {
  let etcd: EtcdCluster;
  let transport: EtcdTransport;
  let dir: string;

  beforeAll(async () => {
    etcd = await startEtcd({ members: 3, proxy: true });
    {
      await using setup = createTransport({ endpoints: etcd.endpoints });
      const auth = createClient(Auth, setup);
      await auth.roleAdd({ name: "root" }).catch(() => {});
      await auth.userAdd({ name: "root", password: PASSWORD });
      await auth.userGrantRole({ user: "root", role: "root" });
      await auth.authEnable({});
    }
    transport = createTransport({ endpoints: etcd.endpoints, auth: { username: "root", password: PASSWORD } });
    dir = await mkdtemp(path.join(tmpdir(), "etcdkit-per-member-"));
  });
  afterAll(async () => {
    await transport?.close();
    await etcd?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const proxies = () => etcd.members.map((m) => m.proxy!);

  it("20 status calls: each reaches the member it names; no new connection, no new Authenticate", async () => {
    const maintenance = createMaintenance(transport);
    for (const endpoint of etcd.endpoints) await maintenance.status(endpoint); // connected, authenticated
    for (const p of proxies()) p.resetStats();
    const { authentications, connections } = transport.stats;
    expect(authentications).toBe(1);

    const { members } = await createClient(Cluster, transport).memberList({});
    for (let i = 0; i < 20; i++) {
      const index = i % 3;
      const status = await maintenance.status(etcd.endpoints[index]!, { timeoutMs: 5000 });
      const member = members.find((m) => m.clientURLs.includes(etcd.members[index]!.clientUrl))!;
      expect(status.memberId).toBe(member.ID);
    }
    expect(proxies().map((p) => p.stats.connections)).toEqual([0, 0, 0]);
    expect(transport.stats.connections).toBe(connections);
    expect(transport.stats.authentications).toBe(1);
  });

  it("hash, hashKV, defragment and snapshot per member with the shared token", async () => {
    const maintenance = createMaintenance(transport);
    const before = transport.stats.authentications;
    for (const p of proxies()) p.resetStats();
    const endpoint = etcd.endpoints[1]!;
    await maintenance.hash(endpoint);
    await maintenance.hashKV(endpoint);
    await maintenance.defragment(endpoint, { timeoutMs: 30_000 });
    const file = path.join(dir, "member-1.db");
    const { bytes } = await maintenance.snapshot(endpoint, file, { timeoutMs: 60_000 });
    expect((await stat(file)).size).toBe(bytes);
    expect(proxies()[1]!.stats.http2Streams).toBe(4);
    expect(proxies()[0]!.stats.http2Streams + proxies()[2]!.stats.http2Streams).toBe(0);
    expect(proxies().map((p) => p.stats.connections)).toEqual([0, 0, 0]);
    expect(transport.stats.authentications).toBe(before);
  });

  it("a member URL outside the transport's endpoints gets one kept connection for all its calls", async () => {
    const maintenance = createMaintenance(transport);
    const before = transport.stats;
    const direct = etcd.members[2]!.clientUrl; // the member itself, not its proxy
    for (let i = 0; i < 5; i++) await maintenance.status(direct);
    expect(transport.stats.connections - before.connections).toBe(1);
    expect(transport.stats.authentications).toBe(before.authentications);
  });

  it("on a plain Connect transport, per-member calls fail invalid-argument before any I/O; alarms still work", async () => {
    const plain = createGrpcTransport({ baseUrl: etcd.endpoints[0]! });
    const maintenance = createMaintenance(plain);
    for (const p of proxies()) p.resetStats();
    const error = await maintenance.status(etcd.endpoints[0]!).catch((e: unknown) => e);
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect((error as Error).message).toMatch(/forEndpoint/);
    const snapshot = await maintenance.snapshot(etcd.endpoints[0]!, path.join(dir, "never.db")).catch((e: unknown) => e);
    expect(isEtcdError(snapshot, "invalid-argument")).toBe(true);
    expect(proxies().map((p) => p.stats.connections)).toEqual([0, 0, 0]);
  });
});
