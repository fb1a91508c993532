import { type EtcdError } from "@etcdkit/transport";
import { invalidArgumentError } from "@etcdkit/transport/internal";
import type { Comparison } from "./compare.js";
import type { CallOptions } from "./options.js";
import type { Op, TxnOp } from "./ops.js";
import type { TxnResult } from "./results.js";

/**
 * The last stage of a txn builder: commit it, or take it as an op (to nest or run later).
 *
 * @example
 * ```ts
 * const result = await kv.txn().if(compare.missing("k")).then(op.put("k", "v")).else(op.get("k")).commit();
 * ```
 */
export interface TxnElseStage<T extends readonly Op[], E extends readonly Op[]> {
  /**
   * Sends the txn. Throws (as EtcdError) `too-many-ops`, `duplicate-key`, `request-too-large`,
   * `compacted` / `future-revision` (a read at such a revision), `key-not-found` (ignoreValue /
   * ignoreLease on a missing key), `lease-not-found`, plus the transport's reasons (`unavailable`,
   * `outcome-unknown`, `deadline-exceeded`, `canceled`, …). A txn is never resent after its
   * request may have reached etcd; its error then has `outcomeUnknown: true`.
   * @example
   * ```ts
   * const { succeeded } = await stage.commit({ timeoutMs: 2000 });
   * ```
   */
  commit(options?: CallOptions): Promise<TxnResult<T, E>>;
  /**
   * The txn as an immutable op, for `kv.do(op)` or as an op of another txn.
   * @example
   * ```ts
   * const inner = kv.txn().if(compare.missing("a")).then(op.put("a", "1")).toOp();
   * await kv.txn().then(inner, op.get("a")).commit();
   * ```
   */
  toOp(): TxnOp<T, E>;
}

/**
 * After `then(...)`: only `else(...)` or the end may follow.
 *
 * @example
 * ```ts
 * kv.txn().if(compare.value("key", ">", "abc")).then(op.put("key", "XYZ")).else(op.put("key", "ABC"));
 * ```
 */
export interface TxnThenStage<T extends readonly Op[]> extends TxnElseStage<T, readonly []> {
  /**
   * The ops to run when a guard fails.
   * @example
   * ```ts
   * stage.else(op.get("key"));
   * ```
   */
  else<const E extends readonly Op[]>(...ops: E): TxnElseStage<T, E>;
}

/**
 * After `if(...)`: `then(...)`, `else(...)` or the end may follow, but no second `if`.
 *
 * @example
 * ```ts
 * kv.txn().if(compare.missing("k")).then(op.put("k", "v"));
 * ```
 */
export interface TxnIfStage extends TxnThenStage<readonly []> {
  /**
   * The ops to run when every guard holds.
   * @example
   * ```ts
   * stage.then(op.put("k", "v"), op.get("k"));
   * ```
   */
  then<const T extends readonly Op[]>(...ops: T): TxnThenStage<T>;
}

/**
 * A fresh txn builder: `if(...)` → `then(...)` → `else(...)` → `commit()`; each stage offers only
 * what may come next, so an `if` after a `then` does not compile. Every stage is immutable: a
 * stage can be reused to build several txns. A stage is not a promise: awaiting one (a forgotten
 * `commit()`) rejects at once with `invalid-argument` rather than waiting forever.
 *
 * @example
 * ```ts
 * const { succeeded, responses } = await kv.txn()
 *   .if(compare.value("key", ">", "abc"))
 *   .then(op.put("key", "XYZ"))
 *   .else(op.put("key", "ABC"))
 *   .commit();
 * ```
 */
export interface TxnBuilder extends TxnIfStage {
  /**
   * The guards; the txn's `then` ops run when all of them hold.
   * @example
   * ```ts
   * kv.txn().if(compare.exists("a"), compare.modRevisionIs("b", 7n));
   * ```
   */
  if(...comparisons: Comparison[]): TxnIfStage;
}

/**
 * Runs a txn op; what a txn builder's `commit()` calls.
 *
 * @example
 * ```ts
 * const run: TxnRunner = (txn, options) => kv.do(txn, options);
 * ```
 */
export type TxnRunner = (txn: TxnOp, options: CallOptions | undefined) => Promise<TxnResult>;

/**
 * A txn builder bound to `run` (kv.txn() uses this).
 *
 * @example
 * ```ts
 * const builder = createTxnBuilder((txn, options) => kv.do(txn, options));
 * ```
 */
export function createTxnBuilder(run: TxnRunner): TxnBuilder {
  return new TxnStage(run, noOps, noOps, noOps) as unknown as TxnBuilder;
}

const noOps: readonly never[] = Object.freeze([]);

/**
 * Every stage of a txn under construction. One class with prototype methods keeps building a
 * txn to a few small allocations; the stage interfaces above decide which methods a caller may
 * use next. The txn op is built once, on first use.
 */
class TxnStage {
  #op: TxnOp | undefined;

  constructor(
    private readonly run: TxnRunner,
    private readonly compares: readonly Comparison[],
    private readonly success: readonly Op[],
    private readonly failure: readonly Op[],
  ) {}

  if(...comparisons: Comparison[]): TxnStage {
    return new TxnStage(this.run, Object.freeze(comparisons), noOps, noOps);
  }

  then(...ops: Op[]): TxnStage {
    // `await stage` (a forgotten commit()) calls then(resolve, reject): fail that await at once
    // instead of leaving it pending forever.
    if (typeof ops[0] === "function") throw notAPromiseError();
    return new TxnStage(this.run, this.compares, Object.freeze(ops), noOps);
  }

  else(...ops: Op[]): TxnStage {
    return new TxnStage(this.run, this.compares, this.success, Object.freeze(ops));
  }

  toOp(): TxnOp {
    return (this.#op ??= Object.freeze({ type: "txn", compares: this.compares, success: this.success, failure: this.failure }));
  }

  commit(options?: CallOptions): Promise<TxnResult> {
    return this.run(this.toOp(), options);
  }
}

/** What awaiting a txn builder (instead of its `commit()`) rejects with. */
function notAPromiseError(): EtcdError {
  return invalidArgumentError("a txn builder is not a promise: finish it with .commit() (or .toOp() to run it later)");
}
