/**
 * Lease writes whose answer is lost, against a real etcd behind the harness's proxy in
 * "drop-responses" mode (the request reaches etcd and is applied; its answer never comes back),
 * then the connection is reset so the transport retries the repeatable write on a new one:
 * a revoke's retry finds the lease gone, a grant's retry (explicit ID) finds it taken. Both
 * final answers carry `outcomeUnknown`; the revoke resolves, the grant's error is surfaced.
 */
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLease, type LeaseClient } from "./create-lease.js";
import { connectLease, eventually, type LeaseEnv } from "./lease-test-env.test-helpers.js";

describe("lease writes whose answer is lost (real etcd, drop-responses proxy)", () => {
  let cluster: EtcdCluster;
  let env: LeaseEnv;
  let proxy: TcpProxy;
  let directTransport: EtcdTransport;
  let direct: LeaseClient;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    proxy = cluster.members[0]!.proxy!;
    env = connectLease(cluster.endpoints, cluster.clientUrls);
    directTransport = createTransport({ endpoints: cluster.clientUrls });
    direct = createLease(directTransport);
  });
  afterEach(() => proxy.setMode("pass"));
  afterAll(async () => {
    await env?.close();
    await directTransport?.close();
    await cluster?.stop();
  });

  /** Breaks the connection whose answers are held; the transport's retry gets a new one. */
  function resetConnection(): void {
    proxy.setMode("reset");
    proxy.setMode("pass");
  }

  it("a revoke whose answer is lost and whose retry finds the lease gone resolves; the lease is lost as revoked", async () => {
    const lease = await env.leases.grant(30);
    proxy.setMode("drop-responses");
    const revoking = lease.revoke({ timeoutMs: 20_000 });
    await eventually(async () => (await direct.timeToLive(lease.id)).expired, 10_000, "etcd to apply the revoke");
    resetConnection();
    const outcome = await revoking.then(
      () => "resolved",
      (e: unknown) => e,
    );
    expect(outcome).toBe("resolved");
    expect((await lease.lost).reason).toBe("revoked");
  });

  it("a grant with an explicit ID whose answer is lost: the retry's lease-exists carries outcomeUnknown (the lease is ours)", async () => {
    const id = 0x5eed_0001n;
    proxy.setMode("drop-responses");
    const granting = env.leases.grant(30, { id, timeoutMs: 20_000 });
    await eventually(async () => !(await direct.timeToLive(id)).expired, 10_000, "etcd to apply the grant");
    resetConnection();
    const error = await granting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEtcdError(error, "lease-exists")).toBe(true);
    expect(isEtcdError(error) && error.outcomeUnknown).toBe(true);
    expect((await direct.timeToLive(id)).grantedTtl).toBe(30);
    await direct.revoke(id);
  });
});
