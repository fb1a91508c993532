import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Cluster, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEtcd, type EtcdCluster } from "./etcd-cluster.js";

describe("startEtcd with three members, seen through the generated gRPC clients", () => {
  let cluster: EtcdCluster;
  const managers: Http2SessionManager[] = [];
  const transport = (baseUrl: string) => {
    const sessionManager = new Http2SessionManager(baseUrl);
    managers.push(sessionManager);
    return createGrpcTransport({ baseUrl, sessionManager });
  };

  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, proxy: true });
  });
  afterEach(() => {
    for (const m of managers.splice(0)) m.abort();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("every member lists the same three members", async () => {
    const expected = cluster.members.map((m) => ({ name: m.name, peerURLs: [m.peerUrl], clientURLs: [m.clientUrl] }));
    for (const member of cluster.members) {
      const client = createClient(Cluster, transport(member.clientUrl));
      const res = await client.memberList({});
      expect(res.members).toHaveLength(3);
      const seen = res.members
        .map((m) => ({ name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs }))
        .sort((a, b) => a.name.localeCompare(b.name));
      expect(seen).toEqual(expected);
    }
  });

  it("calls through a member's proxy are counted as HTTP/2 streams", async () => {
    const member = cluster.members[1]!;
    const proxy = member.proxy!;
    proxy.resetStats();
    const t = transport(member.endpoint);
    const kv = createClient(KV, t);
    const key = new TextEncoder().encode("etcdkit/testing/grpc");
    await kv.put({ key, value: new TextEncoder().encode("v1") });
    const range = await kv.range({ key });
    expect(new TextDecoder().decode(range.kvs[0]?.value)).toBe("v1");
    expect((await createClient(Cluster, t).memberList({})).members).toHaveLength(3);
    expect(proxy.stats).toMatchObject({ connections: 1, http2Streams: 3 });
  });
});
