import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  Compare_CompareResult,
  Compare_CompareTarget,
  RangeRequest_SortOrder,
  RangeRequest_SortTarget,
  type CompareSchema,
  type DeleteRangeRequestSchema,
  type PutRequestSchema,
  type RangeRequestSchema,
  type RequestOpSchema,
  type TxnRequestSchema,
} from "@etcdkit/api/etcdserverpb/rpc_pb";
import { invalidArgumentError, type EtcdError } from "@etcdkit/transport";
import type { CompareOperator, CompareTarget, Comparison } from "./compare.js";
import type { DeleteOp, GetOp, Op, PutOp, TxnOp } from "./ops.js";
import type { SortOption, SortTarget } from "./options.js";

const sortTargets: Readonly<Record<SortTarget, RangeRequest_SortTarget>> = {
  key: RangeRequest_SortTarget.KEY,
  version: RangeRequest_SortTarget.VERSION,
  createRevision: RangeRequest_SortTarget.CREATE,
  modRevision: RangeRequest_SortTarget.MOD,
  value: RangeRequest_SortTarget.VALUE,
};

const compareTargets: Readonly<Record<CompareTarget, Compare_CompareTarget>> = {
  value: Compare_CompareTarget.VALUE,
  version: Compare_CompareTarget.VERSION,
  createRevision: Compare_CompareTarget.CREATE,
  modRevision: Compare_CompareTarget.MOD,
  lease: Compare_CompareTarget.LEASE,
};

const compareResults: Readonly<Record<CompareOperator, Compare_CompareResult>> = {
  "=": Compare_CompareResult.EQUAL,
  "!=": Compare_CompareResult.NOT_EQUAL,
  "<": Compare_CompareResult.LESS,
  ">": Compare_CompareResult.GREATER,
};

/**
 * The sort fields of a RangeRequest. Key ascending is etcd's natural order and is sent as no
 * sort at all (as Go's client does), so the server can apply `limit` while scanning.
 *
 * @example
 * ```ts
 * encodeSort({ target: "key", order: "descend" }); // { sortTarget: KEY, sortOrder: DESCEND }
 * ```
 */
export function encodeSort(sort: SortOption | undefined): { sortTarget: RangeRequest_SortTarget; sortOrder: RangeRequest_SortOrder } {
  if (sort === undefined) return { sortTarget: RangeRequest_SortTarget.KEY, sortOrder: RangeRequest_SortOrder.NONE };
  const sortTarget = sortTargets[sort.target];
  const descend = sort.order === "descend";
  if (sortTarget === RangeRequest_SortTarget.KEY && !descend) {
    return { sortTarget, sortOrder: RangeRequest_SortOrder.NONE };
  }
  return { sortTarget, sortOrder: descend ? RangeRequest_SortOrder.DESCEND : RangeRequest_SortOrder.ASCEND };
}

/**
 * A GetOp as a RangeRequest.
 *
 * @example
 * ```ts
 * await client.range(encodeRange(op.get("foo")));
 * ```
 */
export function encodeRange(get: GetOp): MessageInitShape<typeof RangeRequestSchema> {
  return {
    key: get.key,
    rangeEnd: get.rangeEnd,
    limit: BigInt(get.limit),
    revision: get.revision,
    ...encodeSort(get.sort),
    serializable: get.serializable,
    keysOnly: get.keysOnly,
    countOnly: get.countOnly,
    minModRevision: get.minModRevision,
    maxModRevision: get.maxModRevision,
    minCreateRevision: get.minCreateRevision,
    maxCreateRevision: get.maxCreateRevision,
  };
}

/**
 * A PutOp as a PutRequest.
 *
 * @example
 * ```ts
 * await client.put(encodePut(op.put("k", "v")));
 * ```
 */
export function encodePut(put: PutOp): MessageInitShape<typeof PutRequestSchema> {
  return {
    key: put.key,
    value: put.value,
    lease: put.lease,
    prevKv: put.prevKv,
    ignoreValue: put.ignoreValue,
    ignoreLease: put.ignoreLease,
  };
}

/**
 * A DeleteOp as a DeleteRangeRequest.
 *
 * @example
 * ```ts
 * await client.deleteRange(encodeDelete(op.delete("k")));
 * ```
 */
export function encodeDelete(del: DeleteOp): MessageInitShape<typeof DeleteRangeRequestSchema> {
  return { key: del.key, rangeEnd: del.rangeEnd, prevKv: del.prevKv };
}

/**
 * A Comparison as a txn Compare.
 *
 * @example
 * ```ts
 * encodeCompare(compare.value("key", ">", "abc"));
 * ```
 */
export function encodeCompare(comparison: Comparison): MessageInitShape<typeof CompareSchema> {
  // Comparisons come from compare.*; this guards hand-made ones (typed code cannot reach it).
  const target = comparison?.target;
  const operand = comparison?.operand;
  const result = compareResults[comparison?.operator];
  if (typeof compareTargets[target] !== "number" || typeof result !== "number") {
    throw invalidArgumentError("not a comparison: build comparisons with compare.value, compare.version, …");
  }
  const targetUnion =
    target === "value"
      ? { case: "value" as const, value: operand as Uint8Array }
      : { case: target, value: operand as bigint };
  return {
    result,
    target: compareTargets[target],
    key: comparison.key,
    rangeEnd: comparison.rangeEnd,
    targetUnion,
  };
}

/**
 * A TxnOp as a TxnRequest (nested txns included).
 *
 * @example
 * ```ts
 * await client.txn(encodeTxn(op.txn({ then: [op.put("k", "v")] })));
 * ```
 */
export function encodeTxn(txn: TxnOp): MessageInitShape<typeof TxnRequestSchema> {
  return {
    compare: txn.compares.map(encodeCompare),
    success: txn.success.map(encodeRequestOp),
    failure: txn.failure.map(encodeRequestOp),
  };
}

/**
 * Any op as a txn RequestOp.
 *
 * @example
 * ```ts
 * encodeRequestOp(op.get("k")); // { request: { case: "requestRange", value: {...} } }
 * ```
 */
export function encodeRequestOp(operation: Op): MessageInitShape<typeof RequestOpSchema> {
  switch (operation?.type) {
    case "get":
      return { request: { case: "requestRange", value: encodeRange(operation) } };
    case "put":
      return { request: { case: "requestPut", value: encodePut(operation) } };
    case "delete":
      return { request: { case: "requestDeleteRange", value: encodeDelete(operation) } };
    case "txn":
      return { request: { case: "requestTxn", value: encodeTxn(operation) } };
    default:
      throw notAnOpError();
  }
}

/**
 * The error for something passed where an op belongs (in `kv.do` or a txn branch).
 *
 * @example
 * ```ts
 * throw notAnOpError();
 * ```
 */
export function notAnOpError(): EtcdError {
  return invalidArgumentError("not an op: build ops with op.get, op.put, op.delete or op.txn");
}
