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
import { EtcdError } from "@etcdkit/transport";
import { invalidArgumentError } from "@etcdkit/transport/internal";
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

/*
 * The encoders below set only the fields that differ from their zero value. The request is the
 * same on the wire either way, but a sparse init is cheaper to turn into a message (protobuf-es
 * create() converts each given field) and allocates no BigInt for a zero limit.
 *
 * Their objects have no prototype: create() reads every field of the schema from the init
 * (`init.rangeEnd`, `init.prevKv`, ...), through the prototype chain, and a field left out must
 * stay unset even when Object.prototype has been polluted with that name.
 */

/** An empty object without a prototype, for a request init. */
function bare<T>(): T {
  return Object.create(null) as T;
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
  const request = bare<MessageInitShape<typeof RangeRequestSchema>>();
  request.key = get.key;
  if (get.rangeEnd.length > 0) request.rangeEnd = get.rangeEnd;
  if (get.limit !== 0) request.limit = BigInt(get.limit);
  if (get.revision !== 0n) request.revision = get.revision;
  if (get.sort !== undefined) {
    const { sortTarget, sortOrder } = encodeSort(get.sort);
    request.sortTarget = sortTarget;
    request.sortOrder = sortOrder;
  }
  if (get.serializable) request.serializable = true;
  if (get.keysOnly) request.keysOnly = true;
  if (get.countOnly) request.countOnly = true;
  if (get.minModRevision !== 0n) request.minModRevision = get.minModRevision;
  if (get.maxModRevision !== 0n) request.maxModRevision = get.maxModRevision;
  if (get.minCreateRevision !== 0n) request.minCreateRevision = get.minCreateRevision;
  if (get.maxCreateRevision !== 0n) request.maxCreateRevision = get.maxCreateRevision;
  return request;
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
  const request = bare<MessageInitShape<typeof PutRequestSchema>>();
  request.key = put.key;
  request.value = put.value;
  if (put.lease !== 0n) request.lease = put.lease;
  if (put.prevKv) request.prevKv = true;
  if (put.ignoreValue) request.ignoreValue = true;
  if (put.ignoreLease) request.ignoreLease = true;
  return request;
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
  const request = bare<MessageInitShape<typeof DeleteRangeRequestSchema>>();
  request.key = del.key;
  if (del.rangeEnd.length > 0) request.rangeEnd = del.rangeEnd;
  if (del.prevKv) request.prevKv = true;
  return request;
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
  if (typeof compareTargets[target] !== "number" || typeof result !== "number") throw notAComparisonError();
  const targetUnion =
    target === "value"
      ? { case: "value" as const, value: operand as Uint8Array }
      : { case: target, value: operand as bigint };
  const request = bare<MessageInitShape<typeof CompareSchema>>();
  request.result = result;
  request.target = compareTargets[target];
  request.key = comparison.key;
  request.targetUnion = targetUnion;
  if (comparison.rangeEnd.length > 0) request.rangeEnd = comparison.rangeEnd;
  return request;
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

/**
 * The error for something passed where a txn comparison belongs.
 *
 * @example
 * ```ts
 * throw notAComparisonError();
 * ```
 */
export function notAComparisonError(): EtcdError {
  return invalidArgumentError("not a comparison: build comparisons with compare.value, compare.version, …");
}

/**
 * `read(operation)`, for code that reads an op's fields (an encoder, the namespace mapping): a
 * hand-made op or comparison that lacks a field fails `invalid-argument` instead of with a
 * TypeError. Ops from `op.*` and comparisons from `compare.*` always have every field.
 *
 * @example
 * ```ts
 * const request = readOp(encodeRange, operation);
 * ```
 */
export function readOp<O, R>(read: (operation: O) => R, operation: O): R {
  try {
    return read(operation);
  } catch (error) {
    if (error instanceof EtcdError) throw error;
    throw invalidArgumentError(`malformed op or comparison (${error instanceof Error ? error.message : String(error)}): build them with op.* and compare.*`);
  }
}
