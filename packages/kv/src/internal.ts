/**
 * `@etcdkit/kv/internal`: what etcdkit's own KV wrappers (ordering, leasing) build on: the full
 * KV API over a `do`/`compact` core, the wire form of key ranges, and the result records (for
 * results a wrapper answers itself, e.g. from a cache). NOT part of the public API:
 * no semver promise, anything here may change or go in any release.
 *
 * @example
 * ```ts
 * import { buildKV, type KVCore } from "@etcdkit/kv/internal";
 *
 * const core: KVCore = { do: (operation, options) => inner.do(operation, options), compact: (rev, options) => inner.compact(rev, options) };
 * const kv = buildKV(core);
 * ```
 */
export { buildKV, type KVCore } from "./kv.js";
export { inWireRange, noBytes, resolveRange, type WireRange } from "./key-range.js";
export { prefixRange } from "./namespace-mapping.js";
export { RangeResult as RangeResultRecord, TxnResult as TxnResultRecord } from "./result-records.js";
