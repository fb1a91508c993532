import { invalidArgumentError, type MemberId, type Revision } from "@etcdkit/transport";

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_INT64 = (1n << 63n) - 1n;

/**
 * Checks that `id` is a member ID: a bigint in 1 … 2^64-1 (member IDs are non-zero uint64s).
 * Throws an EtcdError "invalid-argument" naming `what` (then `hint`) otherwise, before any
 * network I/O.
 *
 * @example
 * ```ts
 * checkMemberId(targetId, "moveLeader: the target member ID"); // targetId
 * ```
 */
export function checkMemberId(id: MemberId, what: string, hint = ""): MemberId {
  if (typeof id !== "bigint" || id <= 0n || id > MAX_UINT64) {
    throw invalidArgumentError(`${what} must be a bigint in 1n … 2^64-1, got ${describe(id)}${hint}`);
  }
  return id;
}

/**
 * Checks that `revision` is a bigint in 0 … 2^63-1 (an int64 revision; 0n: the latest).
 * Throws an EtcdError "invalid-argument" naming `what` otherwise, before any network I/O.
 *
 * @example
 * ```ts
 * checkRevision(revision, "hashKV: revision"); // revision
 * ```
 */
export function checkRevision(revision: Revision, what: string): Revision {
  if (typeof revision !== "bigint" || revision < 0n || revision > MAX_INT64) {
    throw invalidArgumentError(`${what} must be a bigint in 0n … 2^63-1 (0n: the latest), got ${describe(revision)}`);
  }
  return revision;
}

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  return value === null ? "null" : typeof value;
}
