import { rmSync } from "node:fs";
import { createClient } from "@connectrpc/connect";
import { Auth, Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCluster } from "./create-cluster.js";
import { findLeader } from "./find-leader.js";
import { selfSignedCertificate, startForwarder, startTrap, type Forwarder, type Trap } from "./tls-members.test-helpers.js";

const PASSWORD = "leader-tls-Pa55word";

/**
 * Three TLS members with auth on; member 2 advertises a plain-text URL first (the trap) and an
 * https:// URL that reaches it (through a forwarder) second.
 */
describe("cluster.leader() on a TLS transport", () => {
  let tls: ReturnType<typeof selfSignedCertificate>;
  let trap: Trap;
  let forwarder: Forwarder;
  let etcd: EtcdCluster;

  beforeAll(async () => {
    tls = selfSignedCertificate();
    trap = await startTrap();
    forwarder = await startForwarder();
    etcd = await startEtcd({
      members: 3,
      scheme: "https",
      flags: [`--cert-file=${tls.cert}`, `--key-file=${tls.key}`],
      memberFlags: (i) => (i === 2 ? [`--advertise-client-urls=${trap.url},https://127.0.0.1:${forwarder.port}`] : []),
    });
    forwarder.target(Number(new URL(etcd.clientUrls[2]!).port));
    await using setup = createTransport({ endpoints: etcd.clientUrls, tls: { ca: tls.certPem } });
    const auth = createClient(Auth, setup);
    await auth.roleAdd({ name: "root" }).catch(() => {});
    await auth.userAdd({ name: "root", password: PASSWORD });
    await auth.userGrantRole({ user: "root", role: "root" });
    await auth.authEnable({});
  });
  afterAll(async () => {
    await etcd?.stop();
    await trap?.close();
    await forwarder?.close();
    if (tls !== undefined) rmSync(tls.dir, { recursive: true, force: true });
  });

  it("asks each member over a URL with TLS: an http:// URL a member advertises gets neither a call nor the token", async () => {
    await using transport = createTransport({
      endpoints: etcd.clientUrls.slice(0, 2),
      tls: { ca: tls.certPem },
      auth: { username: "root", password: PASSWORD },
    });
    const cluster = createCluster(transport);
    const { members } = await cluster.memberList({ timeoutMs: 5000 });
    const third = members.find((m) => m.clientUrls.includes(trap.url))!;
    expect(third.clientUrls).toEqual([trap.url, `https://127.0.0.1:${forwarder.port}`]);

    const leader = await cluster.leader({ timeoutMs: 5000 });
    const status = await createClient(Maintenance, transport.forEndpoint(etcd.clientUrls[0]!)).status({}, { timeoutMs: 5000 });
    expect(leader.id).toBe(status.leader);
    expect(trap.received).toEqual([]);
    expect(trap.connections).toBe(0);

    // Only the third member asked (the others listed without client URLs): it answers through its
    // https:// URL, and the leader it names is found among the members.
    const onlyThird = members.map((m) => (m.id === third.id ? m : { ...m, clientUrls: [] }));
    const named = await findLeader(onlyThird, transport, { timeoutMs: 5000 });
    expect(named.id).toBe(leader.id);
    expect(forwarder.connections).toBe(1);
    expect(trap.received).toEqual([]);
    expect(trap.connections).toBe(0);
  });

  it("a member with no URL the transport may use counts as not answering", async () => {
    await using transport = createTransport({
      endpoints: etcd.clientUrls.slice(0, 2),
      tls: { ca: tls.certPem },
      auth: { username: "root", password: PASSWORD },
    });
    const { members } = await createCluster(transport).memberList({ timeoutMs: 5000 });
    const onlyPlain = members.map((m) => (m.clientUrls.includes(trap.url) ? { ...m, clientUrls: [trap.url] } : m));
    const leader = await findLeader(onlyPlain, transport, { timeoutMs: 5000 });
    expect(members.map((m) => m.id)).toContain(leader.id);
    expect(trap.received).toEqual([]);
    expect(trap.connections).toBe(0);
  });
});
