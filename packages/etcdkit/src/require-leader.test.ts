/**
 * Per-call `requireLeader` in every package, against a real 3-member etcd whose member 0 has lost
 * its leader (the two others are stopped): calls that member answers from its own state
 * (serializable reads, member list, status, lease list) succeed without the option and are
 * refused with "no-leader" with it; `requireLeader: false` overrides a transport that requires a
 * leader for every call.
 */
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, isEtcdError, type EtcdError, type TransportEvent } from "@etcdkit/transport";
import { createGatewayTransport } from "@etcdkit/transport/gateway";
import { createKV } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { createCluster } from "@etcdkit/cluster";
import { createMaintenance } from "@etcdkit/maintenance";
import { createAuth } from "@etcdkit/auth";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * The call's error, which must show that the member refused it for its missing leader: as the
 * error itself or its cause, or (when the deadline ended the call during a later attempt, as on a
 * busy machine) as a failure the transport retried (`retried`, from its "retry" events).
 */
async function refusedForNoLeader(call: Promise<unknown>, retried: EtcdError[]): Promise<EtcdError> {
  retried.length = 0; // this call's retries only (its first attempt has not failed yet)
  const error = await call.then(
    () => {
      throw new Error("the call succeeded on a member without a leader");
    },
    (e: unknown) => e,
  );
  expect(isEtcdError(error)).toBe(true);
  const chain: unknown[] = [...retried];
  for (let e: unknown = error; e !== undefined && chain.length < retried.length + 5; e = (e as { cause?: unknown }).cause) chain.push(e);
  expect(chain.some((e) => isEtcdError(e, "no-leader"))).toBe(true);
  return error as EtcdError;
}

/** An onEvent listener that records the failures the transport retried. */
function recordRetries(retried: EtcdError[]): (event: TransportEvent) => void {
  return (event) => {
    if (event.type === "retry") retried.push(event.error);
  };
}

describe("requireLeader per call, on a member without a leader (real etcd, 3 members)", () => {
  let cluster: EtcdCluster;
  let endpoint: string;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3 });
    endpoint = cluster.members[0]!.endpoint;
    await using writer = createTransport({ endpoints: cluster.endpoints });
    const { revision } = await createKV(writer).put("rl/key", "replicated");
    await using lone = createTransport({ endpoints: [endpoint] });
    await vi.waitFor(async () => expect((await createKV(lone).get("rl/key", { serializable: true })).revision).toBeGreaterThanOrEqual(revision), {
      timeout: 10_000,
    });
    await cluster.kill(1);
    await cluster.kill(2);
    // Member 0 drops its leader at its next election timeout.
    await vi.waitFor(async () => expect((await createMaintenance(lone).status(endpoint)).leader).toBe(0n), { timeout: 20_000, interval: 100 });
  });
  afterAll(() => cluster?.stop());

  it("kv: a serializable read is answered without it and refused with it", async () => {
    const retried: EtcdError[] = [];
    await using transport = createTransport({ endpoints: [endpoint], onEvent: recordRetries(retried) });
    const kv = createKV(transport);
    expect((await kv.get("rl/key", { serializable: true, timeoutMs: 5_000 })).kv?.text()).toBe("replicated");
    await refusedForNoLeader(kv.get("rl/key", { serializable: true, requireLeader: true, timeoutMs: 2_000 }), retried);
    await refusedForNoLeader(kv.getPrefix("rl/", { serializable: true, requireLeader: true, timeoutMs: 2_000 }), retried);
  });

  it("over the gateway transport too (as gateway metadata)", async () => {
    const retried: EtcdError[] = [];
    await using transport = createGatewayTransport({ endpoints: [endpoint], onEvent: recordRetries(retried) });
    const kv = createKV(transport);
    expect((await kv.get("rl/key", { serializable: true, timeoutMs: 5_000 })).kv?.text()).toBe("replicated");
    await refusedForNoLeader(kv.get("rl/key", { serializable: true, requireLeader: true, timeoutMs: 2_000 }), retried);
  });

  it("lease, cluster and maintenance calls that the member answers alone are refused with it", async () => {
    const retried: EtcdError[] = [];
    await using transport = createTransport({ endpoints: [endpoint], onEvent: recordRetries(retried) });
    const leases = createLease(transport);
    const members = createCluster(transport);
    const maintenance = createMaintenance(transport);
    expect(Array.isArray((await leases.leases({ timeoutMs: 5_000 })).leases)).toBe(true);
    await refusedForNoLeader(leases.leases({ requireLeader: true, timeoutMs: 2_000 }), retried);
    expect((await members.memberList({ timeoutMs: 5_000 })).members).toHaveLength(3);
    await refusedForNoLeader(members.memberList({ requireLeader: true, timeoutMs: 2_000 }), retried);
    expect((await maintenance.status(endpoint, { timeoutMs: 5_000 })).leader).toBe(0n);
    await refusedForNoLeader(maintenance.status(endpoint, { requireLeader: true, timeoutMs: 2_000 }), retried);
  });

  it("auth: a call with it is refused for the missing leader (not for the missing quorum)", async () => {
    const retried: EtcdError[] = [];
    await using transport = createTransport({ endpoints: [endpoint], onEvent: recordRetries(retried) });
    await refusedForNoLeader(createAuth(transport).roleList({ requireLeader: true, timeoutMs: 2_000 }), retried);
  });

  it("requireLeader: false overrides a transport that requires a leader on every call", async () => {
    const retried: EtcdError[] = [];
    await using transport = createTransport({ endpoints: [endpoint], requireLeader: true, onEvent: recordRetries(retried) });
    const kv = createKV(transport);
    await refusedForNoLeader(kv.get("rl/key", { serializable: true, timeoutMs: 2_000 }), retried);
    expect((await kv.get("rl/key", { serializable: true, requireLeader: false, timeoutMs: 5_000 })).kv?.text()).toBe("replicated");
  });

  it("a requireLeader that is not a boolean fails before any I/O", async () => {
    await using transport = createTransport({ endpoints: [endpoint] });
    const calls = transport.stats.calls;
    const error = await createKV(transport)
      .get("rl/key", { requireLeader: "yes" as never })
      .catch((e: unknown) => e);
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect(transport.stats.calls).toBe(calls);
  });
});
