import { invalidArgumentError, type LeaseId } from "@etcdkit/transport";

/** The largest int64: lease IDs are int64 on the wire. */
const MAX_INT64 = 0x7fff_ffff_ffff_ffffn;

/**
 * Checks a lease ID before any I/O: a bigint from `min` (1n; 0n where it means "etcd picks one")
 * to 2^63 - 1. Throws EtcdError "invalid-argument" otherwise: a number ID would be sent but match
 * none of the client's leases, and an ID etcd cannot encode fails the shared keepalive stream
 * (losing every lease on it).
 *
 * @example
 * ```ts
 * checkLeaseId(0x694dn);    // ok
 * checkLeaseId(5 as never); // throws "invalid-argument"
 * checkLeaseId(0n, 0n);     // ok: grant's "let etcd pick"
 * ```
 */
export function checkLeaseId(id: unknown, min: 0n | 1n = 1n): asserts id is LeaseId {
  if (typeof id !== "bigint" || id < min || id > MAX_INT64) {
    const got = typeof id === "bigint" ? `${id}n` : typeof id;
    throw invalidArgumentError(`lease id must be a bigint from ${min}n to 2^63 - 1, got ${got}`);
  }
}
