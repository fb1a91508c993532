/**
 * @etcdkit/kv: etcd's key-value API: get / range / put / delete / compact, immutable ops, a staged
 * txn builder with typed per-op results, paging at a pinned revision, and namespaces.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { compare, createKV, op } from "@etcdkit/kv";
 *
 * const kv = createKV(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));
 * await kv.put("key", "xyz");
 * const { succeeded } = await kv.txn().if(compare.value("key", ">", "abc")).then(op.put("key", "XYZ")).commit();
 * ```
 */
export { createKV } from "./create-kv.js";
export type { KV } from "./kv.js";
export { op, type TxnSpec } from "./op-builders.js";
export type { DeleteOp, GetOp, Op, PutOp, TxnOp } from "./ops.js";
export { compare, type CompareOperator, type CompareTarget, type Comparison } from "./compare.js";
export type {
  CallOptions,
  CompactOptions,
  DeleteOptions,
  GetOptions,
  PutKeepValueOptions,
  PutLeaseOption,
  PutOptions,
  RangeGetOptions,
  RangeReadOptions,
  ReadOptions,
  SingleGetOptions,
  SortOption,
  SortOrder,
  SortTarget,
} from "./options.js";
export type { RangeSelector, RangeSelectorFields, SingleKeySelector } from "./key-range.js";
export { KeyValue, type KeyValueFields, type ResponseHeader } from "@etcdkit/transport";
export type {
  AnyOpResult,
  CompactResult,
  DeleteResult,
  GetResult,
  OpResult,
  OpResults,
  PutResult,
  RangeResult,
  TxnFailed,
  TxnResult,
  TxnSucceeded,
} from "./results.js";
export type { TxnBuilder, TxnElseStage, TxnIfStage, TxnThenStage } from "./txn-builder.js";
export { paginate, type PageReader, type PaginateOptions, type RangePage } from "./paginate.js";
export {
  withFirstCreate,
  withFirstKey,
  withFirstRev,
  withLastCreate,
  withLastKey,
  withLastRev,
  type SortShortcut,
} from "./sort-shortcuts.js";
export { withNamespace } from "./namespace.js";
