import type { LeaseId, Revision } from "@etcdkit/transport";
import type { Comparison } from "./compare.js";
import type { SortOption } from "./options.js";

/**
 * A read of one key or a range, as an immutable value (build with `op.get`).
 * Fields are normalized: absent options hold their defaults.
 *
 * @example
 * ```ts
 * const read: GetOp = op.get("jobs/", { prefix: true, limit: 10 });
 * ```
 */
export interface GetOp {
  readonly type: "get";
  readonly key: Uint8Array;
  /** Empty: the single key `key` (see WireRange). */
  readonly rangeEnd: Uint8Array;
  readonly limit: number;
  readonly revision: Revision;
  readonly sort: SortOption | undefined;
  readonly serializable: boolean;
  readonly keysOnly: boolean;
  readonly countOnly: boolean;
  readonly minModRevision: Revision;
  readonly maxModRevision: Revision;
  readonly minCreateRevision: Revision;
  readonly maxCreateRevision: Revision;
}

/**
 * A write of one key, as an immutable value (build with `op.put`).
 *
 * @example
 * ```ts
 * const write: PutOp = op.put("config", JSON.stringify({ replicas: 3 }), { prevKv: true });
 * ```
 */
export interface PutOp {
  readonly type: "put";
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly lease: LeaseId;
  readonly prevKv: boolean;
  readonly ignoreValue: boolean;
  readonly ignoreLease: boolean;
}

/**
 * A delete of one key or a range, as an immutable value (build with `op.delete`).
 *
 * @example
 * ```ts
 * const removal: DeleteOp = op.delete("jobs/", { prefix: true, prevKv: true });
 * ```
 */
export interface DeleteOp {
  readonly type: "delete";
  readonly key: Uint8Array;
  /** Empty: the single key `key` (see WireRange). */
  readonly rangeEnd: Uint8Array;
  readonly prevKv: boolean;
}

/**
 * A transaction as an immutable value (build with `op.txn` or a txn builder's `toOp()`): if every
 * comparison holds, `success` runs, else `failure`. Usable as an op inside another txn.
 * The type parameters are the tuples of branch ops, so results are typed per position.
 *
 * @example
 * ```ts
 * const createOnce: TxnOp<readonly [PutOp], readonly [GetOp]> = op.txn({
 *   if: [compare.missing("config")],
 *   then: [op.put("config", "{}")],
 *   else: [op.get("config")],
 * });
 * ```
 */
export interface TxnOp<T extends readonly Op[] = readonly Op[], E extends readonly Op[] = readonly Op[]> {
  readonly type: "txn";
  readonly compares: readonly Comparison[];
  readonly success: T;
  readonly failure: E;
}

/**
 * Any KV operation: a value built now, run later with `kv.do(op)` or inside a txn.
 *
 * @example
 * ```ts
 * const ops: Op[] = [op.put("put-key", "123"), op.get("put-key"), op.put("put-key", "456")];
 * for (const o of ops) await kv.do(o);
 * ```
 */
export type Op = GetOp | PutOp | DeleteOp | TxnOp;
