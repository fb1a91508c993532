/**
 * Checks of integer arguments (revisions, lease IDs, member IDs, compare operands) that every
 * etcdkit package shares: a value protobuf cannot encode as int64 / uint64 fails with a clear
 * EtcdError "invalid-argument" before any I/O, instead of an encoder message from inside the call
 * (or a number silently matching nothing).
 */
import { typeName } from "./argument-checks.js";
import { invalidArgumentError } from "./errors/client-errors.js";
import type { MemberId, Revision } from "./ids.js";

/**
 * The largest int64, 2^63 - 1: the largest revision, lease ID or version etcd can be sent.
 *
 * @example
 * ```ts
 * if (revision > MAX_INT64) throw invalidArgumentError("too large");
 * ```
 */
export const MAX_INT64 = 0x7fff_ffff_ffff_ffffn;

/**
 * The smallest int64, -2^63 (etcd 3.4 grants a negative lease ID a client asks for).
 *
 * @example
 * ```ts
 * const isInt64 = (v: bigint) => v >= MIN_INT64 && v <= MAX_INT64;
 * ```
 */
export const MIN_INT64 = -0x8000_0000_0000_0000n;

/**
 * Checks that `revision` is a bigint in 0n … 2^63 - 1 (an int64 revision; in reads 0n means the latest) and
 * returns it. Throws an EtcdError "invalid-argument" naming `what` and what it got otherwise.
 *
 * @example
 * ```ts
 * checkRevision(42n, "revision");        // 42n
 * checkRevision(2n ** 63n, "revision");  // throws invalid-argument
 * checkRevision(5 as never, "revision"); // throws invalid-argument: "... got number"
 * ```
 */
export function checkRevision(revision: unknown, what: string): Revision {
  if (typeof revision !== "bigint" || revision < 0n || revision > MAX_INT64) {
    throw invalidArgumentError(`${what} must be a bigint in 0n … 2^63-1, got ${describeValue(revision)}`);
  }
  return revision;
}

/**
 * Checks that `value` is a bigint in the int64 range (-2^63 … 2^63 - 1) and returns it. Throws an
 * EtcdError "invalid-argument" naming `what` otherwise.
 *
 * @example
 * ```ts
 * checkInt64(lease.id, "lease");  // the ID
 * checkInt64(1, "lease");         // throws invalid-argument: a number is not a lease ID
 * ```
 */
export function checkInt64(value: unknown, what: string): bigint {
  if (typeof value !== "bigint" || value < MIN_INT64 || value > MAX_INT64) {
    throw invalidArgumentError(`${what} must be a bigint in -2^63 … 2^63-1, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * The largest uint64, 2^64 - 1: the largest member ID.
 *
 * @example
 * ```ts
 * const ok = id > 0n && id <= MAX_UINT64;
 * ```
 */
export const MAX_UINT64 = 0xffff_ffff_ffff_ffffn;

/**
 * Checks that `id` is a member ID, a bigint in 1 … 2^64-1 (member IDs are non-zero uint64s), and
 * returns it. Throws an EtcdError "invalid-argument" naming `what` (then `hint`) otherwise.
 *
 * @example
 * ```ts
 * checkMemberId(member.id, "memberRemove: the member ID");
 * checkMemberId(0n, "moveLeader: the target member ID"); // throws invalid-argument
 * ```
 */
export function checkMemberId(id: unknown, what: string, hint = ""): MemberId {
  if (typeof id !== "bigint" || id <= 0n || id > MAX_UINT64) {
    throw invalidArgumentError(`${what} must be a bigint in 1 … 2^64-1, got ${describeValue(id)}${hint}`);
  }
  return id;
}

/** A bigint as written in code (`5n`), anything else by its type name. */
function describeValue(value: unknown): string {
  return typeof value === "bigint" ? `${value}n` : typeName(value);
}
