import { createClient } from "@connectrpc/connect";
import { Auth, Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCluster } from "./create-cluster.js";

const PASSWORD = "leader-Pa55word";

/**
 * leader() asks every voting member for its Status, each through the shared transport's
 * connection to that member and with its token: no handshake or Authenticate per lookup.
 */
describe("cluster.leader() per member, with auth on three members", () => {
  let etcd: EtcdCluster;
  let transport: EtcdTransport;

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
  });
  afterAll(async () => {
    await transport?.close();
    await etcd?.stop();
  });

  it("asks each member once per lookup; 10 lookups add no connection and no Authenticate", async () => {
    // The members' own client URLs are what MemberList reports, so the transport uses them too.
    transport = createTransport({ endpoints: etcd.clientUrls, auth: { username: "root", password: PASSWORD } });
    const cluster = createCluster(transport);
    const first = await cluster.leader();
    const { authentications, connections, streams } = transport.stats;
    expect(authentications).toBe(1);

    for (let i = 0; i < 10; i++) expect((await cluster.leader({ timeoutMs: 5000 })).id).toBe(first.id);
    expect(transport.stats.connections).toBe(connections);
    expect(transport.stats.authentications).toBe(1);
    // Each lookup: one MemberList, then one Status per voting member (all sent in parallel).
    expect(transport.stats.streams - streams).toBe(10 * 4);

    // It is the member that says it leads.
    const status = await createClient(Maintenance, transport.forEndpoint(first.clientUrls[0]!)).status({});
    expect(status.leader).toBe(first.id);
    expect(status.header?.memberId).toBe(first.id);
  });
});
