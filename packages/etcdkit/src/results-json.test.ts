/**
 * `JSON.stringify` and `util.inspect` of the cluster, maintenance and auth results, against a real
 * etcd (kv, lease and watch results are tested in their packages): bigints as decimal strings,
 * bytes as text, the header of etcd's answer on the maintenance calls that had none, and the
 * token of `authenticate` kept out of logs.
 */
import { inspect } from "node:util";
import { createAuth } from "@etcdkit/auth";
import { createCluster } from "@etcdkit/cluster";
import { createMaintenance } from "@etcdkit/maintenance";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, type ResponseHeader } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const json = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
const jsonHeader = (h: ResponseHeader) => ({ clusterId: String(h.clusterId), memberId: String(h.memberId), revision: String(h.revision), raftTerm: String(h.raftTerm) });

describe("cluster, maintenance and auth results serialize and print readably (real etcd)", () => {
  let etcd: EtcdCluster;
  let endpoint: string;
  beforeAll(async () => {
    etcd = await startEtcd();
    endpoint = etcd.endpoints[0]!;
  });
  afterAll(() => etcd?.stop());

  it("cluster: member lists, added members and the leader", async () => {
    await using transport = createTransport({ endpoints: [endpoint] });
    const cluster = createCluster(transport);
    const list = await cluster.memberList();
    const [self] = list.members;
    expect(json(list)).toEqual({
      header: jsonHeader(list.header),
      members: [{ id: String(self!.id), name: self!.name, peerUrls: self!.peerUrls, clientUrls: self!.clientUrls, isLearner: false }],
    });
    const leader = await cluster.leader();
    expect(json(leader)).toMatchObject({ id: String(self!.id) });
    const added = await cluster.memberAdd(["http://127.0.0.1:1"], { learner: true });
    expect(json(added)).toMatchObject({ member: { id: String(added.member.id), isLearner: true }, header: jsonHeader(added.header) });
    expect(inspect(added.member)).toContain(`id: ${added.member.id}n`);
    await cluster.memberRemove(added.member.id);
  });

  it("maintenance: status, hashes, alarms, defragment and moveLeader carry the header and serialize", async () => {
    await using transport = createTransport({ endpoints: [endpoint] });
    const maintenance = createMaintenance(transport);
    const status = await maintenance.status(endpoint);
    expect(json(status)).toMatchObject({ version: "3.4.23", memberId: String(status.memberId), leader: String(status.leader), header: jsonHeader(status.header) });
    const hash = await maintenance.hash(endpoint);
    expect(json(hash)).toEqual({ header: jsonHeader(hash.header), hash: hash.hash });
    const hashKV = await maintenance.hashKV(endpoint);
    expect(json(hashKV)).toEqual({ header: jsonHeader(hashKV.header), hash: hashKV.hash, compactRevision: String(hashKV.compactRevision) });
    // etcd 3.4 answers Alarm, Defragment and MoveLeader without a header (3.5 and later send one).
    const alarms = await maintenance.alarmList();
    expect(alarms.header).toBeUndefined();
    expect(json(alarms)).toEqual({ alarms: [] });
    expect(json(await maintenance.alarmDisarmAll())).toEqual({ alarms: [] });
    expect(json(await maintenance.defragment(endpoint, { timeoutMs: 30_000 }))).toEqual({});
    expect(json(await maintenance.moveLeader(endpoint, status.memberId, { timeoutMs: 10_000 }))).toEqual({}); // to itself: nothing to do
    expect(inspect(status)).toContain(`memberId: ${status.memberId}n`);
  });

  it("auth: results serialize with permission keys as text, and authenticate's token is redacted", async () => {
    await using transport = createTransport({ endpoints: [endpoint] });
    const auth = createAuth(transport);
    await auth.roleAdd("reader");
    await auth.roleGrantPermission("reader", { prefix: "app/", type: "read" });
    const role = await auth.roleGet("reader");
    expect(json(role)).toEqual({ header: jsonHeader(role.header), permissions: [{ type: "read", key: "app/", rangeEnd: "app0" }] });
    expect(inspect(role, { depth: 4 })).toContain("key: 'app/'");
    const roles = await auth.roleList();
    expect(json(roles)).toMatchObject({ roles: ["reader"] });
    await auth.roleAdd("root");
    await auth.userAdd("root", "root-secret");
    await auth.userGrantRole("root", "root");
    await auth.enable();
    try {
      const answer = await auth.authenticate("root", "root-secret");
      expect(answer.token.length).toBeGreaterThan(0);
      expect(json(answer)).toEqual({ header: jsonHeader(answer.header), token: "[redacted]" });
      expect(JSON.stringify(answer)).not.toContain(answer.token);
      expect(inspect(answer)).not.toContain(answer.token);
    } finally {
      await using asRoot = createTransport({ endpoints: [endpoint], auth: { username: "root", password: "root-secret" } });
      await createAuth(asRoot).disable();
    }
  });
});
