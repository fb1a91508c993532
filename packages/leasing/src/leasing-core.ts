import type { AnyOpResult, DeleteOp, GetOp, Op, OpResult, PutOp, TxnOp } from "@etcdkit/kv";
import type { KVCore } from "@etcdkit/kv/internal";
import { type CallOptions, type EtcdError } from "@etcdkit/transport";
import { invalidArgumentError } from "@etcdkit/transport/internal";
import { abortError } from "./call-scope.js";
import type { LeasingContext } from "./leasing-context.js";
import { leasingDeleteRange } from "./leasing-range-delete.js";
import { leasingGet } from "./leasing-read.js";
import { leasingTxn } from "./leasing-txn.js";
import { leasingWriteKey } from "./leasing-write.js";

/**
 * The two primitives of the leasing KV (`buildKV` makes the whole KV API of them): every op goes
 * through the leasing protocol, compaction straight to etcd. An op whose fields are not what
 * etcdkit's op builders make is rejected with "invalid-argument" before any I/O (it is never
 * sent around the protocol). After `close()`, every call fails "canceled".
 *
 * @example
 * ```ts
 * const kv = buildKV(createLeasingCore(context));
 * ```
 */
export function createLeasingCore(context: LeasingContext): KVCore {
  const closed = context.sessions.closedSignal;
  return {
    async do<O extends Op>(operation: O, options?: CallOptions): Promise<OpResult<O>> {
      if (closed.aborted) throw abortError(closed, "the call");
      let result: Promise<AnyOpResult>;
      if (!isOpType(operation)) result = context.kv.do(operation, options); // rejects it: not an op
      else if (!wellFormed(operation)) throw malformedOp();
      else if (operation.type === "get") result = leasingGet(context, operation, options);
      else if (operation.type === "put") result = leasingWriteKey(context, operation, options);
      else if (operation.type === "delete") {
        result = operation.rangeEnd.length === 0 ? leasingWriteKey(context, operation, options) : leasingDeleteRange(context, operation, options);
      } else result = leasingTxn(context, operation, options);
      return (await result) as OpResult<O>;
    },
    compact: (revision, options) => context.kv.compact(revision, options),
  };
}

function isOpType(operation: unknown): boolean {
  const type = (operation as { type?: unknown } | null)?.type;
  return type === "get" || type === "put" || type === "delete" || type === "txn";
}

function malformedOp(): EtcdError {
  return invalidArgumentError("leasing: the op is malformed (build ops with op.get, op.put, op.delete, op.txn or a txn builder's toOp())");
}

/** Whether an op has the fields the leasing paths read (as etcdkit's op builders make them). */
function wellFormed(operation: unknown): operation is GetOp | PutOp | DeleteOp | TxnOp {
  const o = operation as Partial<Record<string, unknown>> | null;
  if (typeof o !== "object" || o === null) return false;
  switch (o.type) {
    case "get":
      return isUint8Array(o.key) && isUint8Array(o.rangeEnd) && typeof o.revision === "bigint";
    case "put":
      return isUint8Array(o.key) && isUint8Array(o.value) && typeof o.lease === "bigint";
    case "delete":
      return isUint8Array(o.key) && isUint8Array(o.rangeEnd);
    case "txn":
      return (
        Array.isArray(o.compares) &&
        o.compares.every((c: { key?: unknown; rangeEnd?: unknown } | null) => isUint8Array(c?.key) && isUint8Array(c?.rangeEnd)) &&
        Array.isArray(o.success) &&
        Array.isArray(o.failure) &&
        o.success.every(wellFormed) &&
        o.failure.every(wellFormed)
      );
    default:
      return false;
  }
}

function isUint8Array(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}
