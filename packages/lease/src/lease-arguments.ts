import { type LeaseId } from "@etcdkit/transport";
import { invalidArgumentError, MAX_INT64, MIN_INT64 } from "@etcdkit/transport/internal";

/**
 * Which lease IDs a call takes: `"existing"` any non-zero int64 (etcd 3.4 grants a negative ID a
 * client asks for, and lists it in `leases()`); `"grant"` 0n (etcd picks) to 2^63 - 1.
 */
export type LeaseIdRange = "existing" | "grant";

/**
 * Checks a lease ID before any I/O. Throws EtcdError "invalid-argument" for anything but a bigint
 * in `range` (default: any non-zero int64): a number ID would be sent but match none of the
 * client's leases, and an ID etcd cannot encode fails the shared keepalive stream (losing every
 * lease on it).
 *
 * @example
 * ```ts
 * checkLeaseId(0x694dn);          // ok
 * checkLeaseId(-5n);              // ok: an existing lease may have a negative ID
 * checkLeaseId(5 as never);       // throws "invalid-argument"
 * checkLeaseId(0n, "grant");      // ok: grant's "let etcd pick"
 * ```
 */
export function checkLeaseId(id: unknown, range: LeaseIdRange = "existing"): asserts id is LeaseId {
  const min = range === "existing" ? MIN_INT64 : 0n;
  if (typeof id !== "bigint" || id < min || id > MAX_INT64 || (range !== "grant" && id === 0n)) {
    const got = typeof id === "bigint" ? `${id}n` : typeof id;
    const allowed = range === "existing" ? "a non-zero int64 (-2^63 to 2^63 - 1)" : `from ${min}n to 2^63 - 1`;
    throw invalidArgumentError(`lease id must be a bigint ${allowed}, got ${got}`);
  }
}
