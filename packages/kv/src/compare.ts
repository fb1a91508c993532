import { toOwnedBytes, type Bytes, type LeaseId, type Revision } from "@etcdkit/transport";
import { checkInt64, checkRevision, invalidArgumentError, MAX_INT64 } from "@etcdkit/transport/internal";
import { resolveRange, type RangeSelector } from "./key-range.js";

/**
 * A comparison operator of a txn guard. Value comparisons are lexical (bytewise).
 *
 * @example
 * ```ts
 * const op: CompareOperator = "!=";
 * ```
 */
export type CompareOperator = "=" | "!=" | "<" | ">";

/**
 * The field of a key a comparison inspects.
 *
 * @example
 * ```ts
 * const target: CompareTarget = "modRevision";
 * ```
 */
export type CompareTarget = "value" | "version" | "createRevision" | "modRevision" | "lease";

/**
 * One guard of a txn: an immutable value, built by the `compare` helpers. Over a range, the
 * comparison must hold for every key in the range.
 *
 * @example
 * ```ts
 * const guard: Comparison = compare.version("config", "=", 0);
 * ```
 */
export interface Comparison {
  readonly target: CompareTarget;
  readonly operator: CompareOperator;
  readonly key: Uint8Array;
  /** Empty: a single key; otherwise the wire range end (see WireRange). */
  readonly rangeEnd: Uint8Array;
  /** Bytes for `value`; bigint for the numeric targets. */
  readonly operand: Uint8Array | bigint;
}

const operators: ReadonlySet<string> = new Set<CompareOperator>(["=", "!=", "<", ">"]);

function make(
  target: CompareTarget,
  key: Bytes,
  operator: CompareOperator,
  operand: Uint8Array | bigint,
  range: RangeSelector | undefined,
): Comparison {
  if (!operators.has(operator)) throw invalidArgumentError(`unknown compare operator ${JSON.stringify(operator)} (use =, !=, < or >)`);
  const wire = resolveRange(key, range);
  return Object.freeze({ target, operator, key: wire.key, rangeEnd: wire.rangeEnd, operand });
}

/**
 * Builders of txn guards. Each takes a key, an operator, an operand and optionally a range
 * selector (`{ prefix: true }`, `{ end }`, `{ fromKey: true }`) to compare every key of a range.
 *
 * Throws (synchronously, before any I/O) `empty-key` for an empty key without a range selector and
 * `invalid-argument` for an unknown operator, a bad range selector, or an operand of the wrong type
 * or outside int64 (revisions and versions: 0 … 2^63-1; lease IDs: any int64).
 *
 * @example
 * ```ts
 * await kv.txn()
 *   .if(compare.value("key", ">", "abc"), compare.version("jobs/", "=", 0, { prefix: true }))
 *   .then(op.put("key", "XYZ"))
 *   .commit();
 * ```
 */
export const compare = Object.freeze({
  /**
   * Compares the key's value, bytewise.
   * @example
   * ```ts
   * compare.value("key", ">", "abc");
   * ```
   */
  value(key: Bytes, operator: CompareOperator, value: Bytes, range?: RangeSelector): Comparison {
    return make("value", key, operator, toOwnedBytes(value), range);
  },
  /**
   * Compares the key's version (0: the key does not exist).
   * @example
   * ```ts
   * compare.version("config", "=", 0);
   * ```
   */
  version(key: Bytes, operator: CompareOperator, version: number | bigint, range?: RangeSelector): Comparison {
    return make("version", key, operator, versionOperand(version), range);
  },
  /**
   * Compares the key's create revision (0: the key does not exist).
   * @example
   * ```ts
   * compare.createRevision("lock/a", "<", myRevision);
   * ```
   */
  createRevision(key: Bytes, operator: CompareOperator, revision: Revision, range?: RangeSelector): Comparison {
    return make("createRevision", key, operator, checkRevision(revision, "compare.createRevision: the revision"), range);
  },
  /**
   * Compares the key's mod revision.
   * @example
   * ```ts
   * compare.modRevision("config", "=", seen.modRevision);
   * ```
   */
  modRevision(key: Bytes, operator: CompareOperator, revision: Revision, range?: RangeSelector): Comparison {
    return make("modRevision", key, operator, checkRevision(revision, "compare.modRevision: the revision"), range);
  },
  /**
   * Compares the key's lease ID (0n: no lease).
   * @example
   * ```ts
   * compare.lease("session/me", "=", lease.id);
   * ```
   */
  lease(key: Bytes, operator: CompareOperator, lease: LeaseId, range?: RangeSelector): Comparison {
    return make("lease", key, operator, checkInt64(lease, "compare.lease: the lease ID (0n: no lease)"), range);
  },
  /**
   * The key exists (create revision > 0).
   * @example
   * ```ts
   * await kv.txn().if(compare.exists("config")).then(op.get("config")).commit();
   * ```
   */
  exists(key: Bytes): Comparison {
    return make("createRevision", key, ">", 0n, undefined);
  },
  /**
   * The key does not exist (create revision = 0): create-if-absent.
   * @example
   * ```ts
   * await kv.txn().if(compare.missing("config")).then(op.put("config", "{}")).commit();
   * ```
   */
  missing(key: Bytes): Comparison {
    return make("createRevision", key, "=", 0n, undefined);
  },
  /**
   * The key was last modified at `revision`: the guard of a compare-and-swap.
   * @example
   * ```ts
   * const { kv: seen } = await kv.get("counter");
   * await kv.txn().if(compare.modRevisionIs("counter", seen!.modRevision)).then(op.put("counter", "2")).commit();
   * ```
   */
  modRevisionIs(key: Bytes, revision: Revision): Comparison {
    return make("modRevision", key, "=", checkRevision(revision, "compare.modRevisionIs: the revision"), undefined);
  },
});

/** A version (number or bigint) as a bigint in 0 … 2^63-1; else invalid-argument. */
function versionOperand(value: number | bigint): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "bigint" && value >= 0n && value <= MAX_INT64) return value;
  const got = typeof value === "bigint" ? `${value}n` : typeof value === "number" ? String(value) : typeof value;
  throw invalidArgumentError(`compare.version: the version must be a non-negative integer (number or bigint) up to 2^63-1, got ${got}`);
}
