import type { AnyOpResult, Op, TxnOp, TxnResult } from "@etcdkit/kv";
import { inWireRange, type WireRange } from "@etcdkit/kv/internal";
import { keyId } from "./key-bytes.js";
import type { KeyChange } from "./key-state.js";
import { changeOf } from "./leasing-write.js";

/**
 * The writes a txn may make, in both branches and nested txns: single keys (puts and single-key
 * deletes, by key id) and ranges (range deletes).
 *
 * @example
 * ```ts
 * const { keys, ranges } = collectWrites(txn);
 * ```
 */
export interface TxnWrites {
  readonly keys: Map<string, Uint8Array>;
  readonly ranges: WireRange[];
}

/**
 * Every write a txn may make, whichever branches run.
 *
 * @example
 * ```ts
 * collectWrites(op.txn({ then: [op.put("a", "1")], else: [op.delete("b/", { prefix: true })] }));
 * // keys: { a }, ranges: [b/ .. b0)
 * ```
 */
export function collectWrites(txn: TxnOp): TxnWrites {
  const writes: TxnWrites = { keys: new Map(), ranges: [] };
  const visit = (ops: readonly Op[]): void => {
    for (const o of ops) {
      if (o.type === "put" || (o.type === "delete" && o.rangeEnd.length === 0)) writes.keys.set(keyId(o.key), o.key);
      else if (o.type === "delete") writes.ranges.push(o);
      else if (o.type === "txn") {
        visit(o.success);
        visit(o.failure);
      }
    }
  };
  visit(txn.success);
  visit(txn.failure);
  return writes;
}

/**
 * What the writes a txn actually ran did, per key: the ops of the branches that ran (nested txns
 * followed through their results).
 *
 * @example
 * ```ts
 * const applied = appliedWrites(txn, result);
 * applied.changeFor(id, key); // the key's change, "none", or a drop when it changed twice
 * ```
 */
export class AppliedWrites {
  private readonly changes = new Map<string, KeyChange[]>();
  private readonly ranges: WireRange[] = [];

  constructor(txn: TxnOp, result: TxnResult) {
    this.visit(result.succeeded ? txn.success : txn.failure, result.responses);
  }

  /** The change the txn made to a key; "none" if it made none. Two or more changes: the value is dropped. */
  changeFor(id: string, key: Uint8Array): KeyChange | "none" {
    const changes = this.changes.get(id) ?? [];
    const deletes = this.ranges.filter((range) => inWireRange(key, range)).length;
    const count = changes.length + deletes;
    if (count === 0) return "none";
    if (count > 1) return { type: "drop" };
    return changes[0] ?? { type: "delete" };
  }

  private visit(ops: readonly Op[], results: readonly AnyOpResult[]): void {
    ops.forEach((o, i) => {
      if (o.type === "put" || (o.type === "delete" && o.rangeEnd.length === 0)) {
        const id = keyId(o.key);
        const list = this.changes.get(id);
        if (list === undefined) this.changes.set(id, [changeOf(o)]);
        else list.push(changeOf(o));
      } else if (o.type === "delete") {
        this.ranges.push(o);
      } else if (o.type === "txn") {
        const nested = results[i] as TxnResult;
        this.visit(nested.succeeded ? o.success : o.failure, nested.responses);
      }
    });
  }
}
