/**
 * What lease results carry and how they serialize, against a real etcd: the header of etcd's
 * answer on a grant (`lease.header`), a renewal (keepAliveOnce and the shared keepalive stream),
 * a time-to-live, the lease list and a revoke; and `JSON.stringify` / `util.inspect` of every
 * lease result type.
 */
import { inspect } from "node:util";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import type { ResponseHeader } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectLease, uniqueKey, type LeaseEnv } from "./lease-test-env.test-helpers.js";

describe("lease results: headers, JSON and inspect (real etcd)", () => {
  let cluster: EtcdCluster;
  let env: LeaseEnv;
  beforeAll(async () => {
    cluster = await startEtcd();
    env = connectLease(cluster.endpoints);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  /** A header etcd filled in (a member, a cluster, a term, a revision). */
  const fromEtcd = (header: ResponseHeader | undefined): ResponseHeader => {
    expect(header).toBeDefined();
    expect(header!.memberId).not.toBe(0n);
    expect(header!.clusterId).not.toBe(0n);
    expect(header!.raftTerm).toBeGreaterThan(0n);
    expect(header!.revision).toBeGreaterThan(0n);
    return header!;
  };
  const json = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const jsonHeader = (h: ResponseHeader) => ({ clusterId: String(h.clusterId), memberId: String(h.memberId), revision: String(h.revision), raftTerm: String(h.raftTerm) });

  it("grant, keepAliveOnce, timeToLive, leases and revoke carry the header of etcd's answer", async () => {
    const lease = await env.leases.grant(30);
    const granted = fromEtcd(lease.header);
    const revision = await env.put(uniqueKey("header"), "v", lease.id);
    const renewal = await lease.keepAliveOnce();
    expect(fromEtcd(renewal.header).revision).toBe(revision);
    expect(renewal.revision).toBe(renewal.header.revision);
    expect(renewal.header.memberId).toBe(granted.memberId);
    expect(fromEtcd((await lease.timeToLive()).header).revision).toBe(revision);
    const list = await env.leases.leases();
    expect(list.leases).toContain(lease.id);
    fromEtcd(list.header);
    expect(fromEtcd((await lease.revoke()).header).revision).toBeGreaterThan(revision); // the revoke deleted the key
    expect(env.leases.attach(lease.id).header).toBeUndefined(); // no grant answered for an attached lease
  });

  it("renewals from the shared keepalive stream carry the header too", async () => {
    const lease = await env.leases.grant(3);
    const renewals = lease.keepAlive();
    const first = await renewals.next();
    expect(first.done).toBe(false);
    const renewal = first.value as { header: ResponseHeader; revision: bigint };
    expect(fromEtcd(renewal.header).revision).toBe(renewal.revision);
    await lease.revoke();
  });

  it("JSON.stringify works on every lease result: IDs and revisions as decimal strings, keys as text", async () => {
    const lease = await env.leases.grant(30);
    const key = uniqueKey("json");
    await env.put(key, "v", lease.id);

    expect(json(lease)).toMatchObject({ id: String(lease.id), ttl: 30, keepingAlive: false, header: jsonHeader(lease.header!) });
    expect(typeof json(lease).deadline).toBe("number");
    const renewal = await lease.keepAliveOnce();
    expect(json(renewal)).toEqual({
      id: String(lease.id),
      ttl: 30,
      revision: String(renewal.revision),
      at: renewal.at,
      deadline: renewal.deadline,
      header: jsonHeader(renewal.header),
    });
    const info = await lease.timeToLive({ keys: true });
    expect(json(info)).toMatchObject({ id: String(lease.id), grantedTtl: 30, keys: [key], expired: false, header: jsonHeader(info.header) });
    const list = await env.leases.leases();
    expect(json(list)).toMatchObject({ header: jsonHeader(list.header) });
    expect(json(list).leases).toContain(String(lease.id));
    const revoked = await lease.revoke();
    expect(json(revoked)).toEqual({ header: jsonHeader(revoked.header!) });
    const loss = await lease.lost;
    expect(json(loss)).toMatchObject({ reason: "revoked", at: loss.at, error: { name: "EtcdError", reason: "lease-not-found" } });
    expect(json(lease)).toMatchObject({ loss: "revoked", remainingMs: 0 });
  });

  it("util.inspect shows a lease's state and a time-to-live's keys as text", async () => {
    const lease = await env.leases.grant(30);
    const key = uniqueKey("inspect");
    await env.put(key, "v", lease.id);
    const shown = inspect(lease);
    expect(shown).toMatch(/^Lease \{/);
    expect(shown).toContain(`id: ${lease.id}n`);
    expect(shown).not.toContain("backend"); // the client behind it is not shown
    expect(inspect(await lease.timeToLive({ keys: true }))).toContain(`keys: [ '${key}' ]`);
    await lease.revoke();
  });
});
