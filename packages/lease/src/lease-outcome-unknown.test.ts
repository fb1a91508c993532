/**
 * Repeatable lease writes retried after an attempt whose answer was lost: the transport marks the
 * final answer `outcomeUnknown` (the earlier attempt may have done it). A revoke answered
 * "lease-not-found" that way means the lease is gone either way, so it resolves and the lease is
 * lost as "revoked"; a grant with an explicit ID answered "lease-exists" that way is surfaced as
 * it is (the lease may be ours). A recording transport answers as configured; no I/O.
 */
import { Code } from "@connectrpc/connect";
import { createRecordingTransport } from "@etcdkit/testing";
import { EtcdError, isEtcdError } from "@etcdkit/transport";
import { describe, expect, it } from "vitest";
import { createLease } from "./create-lease.js";

const notFound = (outcomeUnknown: boolean): EtcdError =>
  new EtcdError("etcdserver: requested lease not found", "lease-not-found", Code.NotFound, { outcomeUnknown });

/** A transport answering every LeaseRevoke with `error` and every LeaseGrant with lease 0x77, TTL 5. */
function revokeFails(error: EtcdError): ReturnType<typeof createRecordingTransport> {
  return createRecordingTransport((call) => {
    if (call.method === "LeaseRevoke") throw error;
    if (call.method === "LeaseGrant") return { ID: 0x77n, TTL: 5n };
    return {};
  });
}

describe("lease writes whose earlier attempt may have been applied", () => {
  it("lease.revoke(): lease-not-found with outcomeUnknown resolves, and the lease is lost as revoked", async () => {
    const leases = createLease(revokeFails(notFound(true)));
    const lease = await leases.grant(5);
    await expect(lease.revoke()).resolves.toBeUndefined();
    expect((await lease.lost).reason).toBe("revoked");
    await leases.close();
  });

  it("leases.revoke(id): lease-not-found with outcomeUnknown resolves, and its leases are lost as revoked", async () => {
    const leases = createLease(revokeFails(notFound(true)));
    const lease = await leases.grant(5);
    await expect(leases.revoke(lease.id)).resolves.toBeUndefined();
    expect((await lease.lost).reason).toBe("revoked");
    await leases.close();
  });

  it("a plain lease-not-found (etcd's answer to the only attempt) still rejects, and the lease is lost as expired", async () => {
    const leases = createLease(revokeFails(notFound(false)));
    const lease = await leases.grant(5);
    await expect(lease.revoke()).rejects.toSatisfy((e) => isEtcdError(e, "lease-not-found") && !e.outcomeUnknown);
    expect((await lease.lost).reason).toBe("expired");

    const other = await leases.grant(5);
    await expect(leases.revoke(other.id)).rejects.toSatisfy((e) => isEtcdError(e, "lease-not-found"));
    expect((await other.lost).reason).toBe("expired");
    await leases.close();
  });

  it("`await using` of a lease whose revoke answer was lost and whose retry found it gone ends quietly", async () => {
    const leases = createLease(revokeFails(notFound(true)));
    let lease;
    {
      await using scoped = await leases.grant(5);
      lease = scoped;
    }
    expect((await lease.lost).reason).toBe("revoked");
    await leases.close();
  });

  it("a grant with an explicit ID answered lease-exists with outcomeUnknown is surfaced as is (the lease may be ours)", async () => {
    const exists = new EtcdError("etcdserver: lease already exists", "lease-exists", Code.FailedPrecondition, { outcomeUnknown: true });
    const leases = createLease(
      createRecordingTransport(() => {
        throw exists;
      }),
    );
    await expect(leases.grant(5, { id: 0x77n })).rejects.toBe(exists);
    expect(exists.outcomeUnknown).toBe(true);
    await leases.close();
  });
});
