import type { KeyValue, ResponseHeader, Revision } from "@etcdkit/transport";
import type { DeleteOp, GetOp, Op, PutOp, TxnOp } from "./ops.js";

/**
 * The result of a read of a key or range.
 *
 * @example
 * ```ts
 * const { kvs, count, more, revision } = await kv.getPrefix("jobs/", { limit: 10 });
 * ```
 */
export interface RangeResult {
  /**
   * Who answered and when: cluster and member ID, raft term, and (as `revision`) the revision of
   * this result. Inside a txn: the txn's header with this op's revision.
   */
  readonly header: ResponseHeader;
  /**
   * The store revision the read saw. Inside a txn: the revision before the txn when no write of
   * the txn came before the read, else the txn's.
   */
  readonly revision: Revision;
  /** The matching key-values (empty with `countOnly`). */
  readonly kvs: readonly KeyValue[];
  /** How many keys are in the range (ignoring `limit`). */
  readonly count: number;
  /** True when `limit` cut the result short. */
  readonly more: boolean;
}

/**
 * The result of `kv.get`: the key-value, if the key exists, and the revision the read saw. A
 * missing key is missing *at* `revision`: create it with a txn guarded by `compare.missing` and
 * watch it from `revision + 1n`, and no change in between is lost.
 *
 * @example
 * ```ts
 * const { kv: item, revision } = await kv.get("config");
 * if (item === undefined) console.log("no config at revision", revision);
 * else console.log(item.text());
 * ```
 */
export interface GetResult {
  /** The key-value, or undefined when the key does not exist at `revision`. */
  readonly kv: KeyValue | undefined;
  /** The store revision the read saw (`header.revision`). */
  readonly revision: Revision;
  /** Who answered and when: cluster and member ID, raft term, revision. */
  readonly header: ResponseHeader;
}

/**
 * The result of a put.
 *
 * @example
 * ```ts
 * const { revision, prevKv } = await kv.put("k", "v", { prevKv: true });
 * ```
 */
export interface PutResult {
  /**
   * Who answered and when: cluster and member ID, raft term, and (as `revision`) the revision of
   * this result. Inside a txn: the txn's header with this op's revision.
   */
  readonly header: ResponseHeader;
  /** The store revision after the put (inside a txn, the txn's: all its writes share one). */
  readonly revision: Revision;
  /** The key-value before the put, when `prevKv` was asked for and the key existed. */
  readonly prevKv: KeyValue | undefined;
}

/**
 * The result of a delete.
 *
 * @example
 * ```ts
 * const { deleted, prevKvs } = await kv.delete("jobs/", { prefix: true, prevKv: true });
 * ```
 */
export interface DeleteResult {
  /**
   * Who answered and when: cluster and member ID, raft term, and (as `revision`) the revision of
   * this result. Inside a txn: the txn's header with this op's revision.
   */
  readonly header: ResponseHeader;
  /**
   * The store revision after the delete. Inside a txn: the txn's, except that a delete of nothing
   * before the txn's first write has the revision before the txn.
   */
  readonly revision: Revision;
  /** How many keys were deleted. */
  readonly deleted: number;
  /** The deleted key-values, when `prevKv` was asked for. */
  readonly prevKvs: readonly KeyValue[];
}

/**
 * The result of a compaction.
 *
 * @example
 * ```ts
 * const { revision } = await kv.compact(1000n);
 * ```
 */
export interface CompactResult {
  /** Who answered: cluster and member ID, raft term, revision. */
  readonly header: ResponseHeader;
  /** The store revision when the compaction was accepted. */
  readonly revision: Revision;
}

/**
 * The result of a txn whose guards all held: the `then` ops ran.
 *
 * @example
 * ```ts
 * if (result.succeeded) result.responses[0].revision;
 * ```
 */
export interface TxnSucceeded<T extends readonly Op[]> {
  readonly succeeded: true;
  /** The store revision after the txn. */
  readonly revision: Revision;
  /** Who answered and when (a nested txn: the outer txn's header with this txn's revision). */
  readonly header: ResponseHeader;
  /** One result per `then` op, in order, typed per position. */
  readonly responses: OpResults<T>;
}

/**
 * The result of a txn where a guard failed: the `else` ops ran.
 *
 * @example
 * ```ts
 * if (!result.succeeded) console.log(result.responses[0].kvs[0]?.text());
 * ```
 */
export interface TxnFailed<E extends readonly Op[]> {
  readonly succeeded: false;
  /** The store revision after the txn. */
  readonly revision: Revision;
  /** Who answered and when (a nested txn: the outer txn's header with this txn's revision). */
  readonly header: ResponseHeader;
  /** One result per `else` op, in order, typed per position. */
  readonly responses: OpResults<E>;
}

/**
 * The result of a txn: check `succeeded` to learn which branch ran; `responses` is then typed
 * per op of that branch (get → RangeResult, put → PutResult, delete → DeleteResult,
 * txn → TxnResult).
 *
 * @example
 * ```ts
 * const result = await kv.txn().if(compare.missing("k")).then(op.put("k", "v")).else(op.get("k")).commit();
 * const current = result.succeeded ? "v" : result.responses[0].kvs[0]?.text();
 * ```
 */
export type TxnResult<T extends readonly Op[] = readonly Op[], E extends readonly Op[] = readonly Op[]> =
  | TxnSucceeded<T>
  | TxnFailed<E>;

/**
 * The result type of one op.
 *
 * @example
 * ```ts
 * type R = OpResult<GetOp>; // RangeResult
 * ```
 */
export type OpResult<O> = O extends TxnOp<infer T, infer E>
  ? TxnResult<T, E>
  : O extends GetOp
    ? RangeResult
    : O extends PutOp
      ? PutResult
      : O extends DeleteOp
        ? DeleteResult
        : never;

/**
 * The result types of a list of ops, position by position (a tuple for a tuple).
 *
 * @example
 * ```ts
 * type R = OpResults<readonly [PutOp, GetOp]>; // readonly [PutResult, RangeResult]
 * ```
 */
export type OpResults<T extends readonly Op[]> = { readonly [K in keyof T]: OpResult<T[K]> };

/**
 * The result of any op, when the op's type is not known statically.
 *
 * @example
 * ```ts
 * function describe(result: AnyOpResult): string { return "kvs" in result ? "range" : "other"; }
 * ```
 */
export type AnyOpResult = RangeResult | PutResult | DeleteResult | TxnResult;
