import { Code } from "@connectrpc/connect";
import { EtcdError, type Bytes, type KeyValue, type ResponseHeader, type Revision } from "@etcdkit/transport";
import { checkCallOptions, invalidArgumentError, ownOptions, toEtcdError, typeName } from "@etcdkit/transport/internal";
import { resolveRange, type RangeSelector } from "./key-range.js";
import { makeGetOp } from "./op-builders.js";
import type { GetOp } from "./ops.js";
import type { CallOptions, ReadOptions } from "./options.js";
import { RangePage as RangePageRecord } from "./result-records.js";
import type { RangeResult } from "./results.js";

/**
 * Options of `kv.paginate`: a range selector, read options (no sort: pages follow key order),
 * the page size and an overall limit. `timeoutMs` bounds each page's call; `signal` the walk.
 *
 * @example
 * ```ts
 * const options: PaginateOptions = { prefix: true, pageSize: 500, limit: 10_000, keysOnly: true };
 * ```
 */
export type PaginateOptions = ReadOptions &
  RangeSelector &
  CallOptions & {
    /** Keys per request (default 1000). */
    readonly pageSize?: number;
    /** Stop after this many keys in total (default: the whole range). */
    readonly limit?: number;
  };

/**
 * One page of a paginated walk.
 *
 * @example
 * ```ts
 * for await (const page of kv.paginate("jobs/", { prefix: true })) console.log(page.kvs.length, page.revision);
 * ```
 */
export interface RangePage {
  /** The page's key-values, in ascending key order. */
  readonly kvs: readonly KeyValue[];
  /** The pinned revision every page is read at. */
  readonly revision: Revision;
  /** The header of this page's answer (who answered; its revision is the pinned one too). */
  readonly header: ResponseHeader;
}

/**
 * What paging needs from a KV: running a read op. Every KV is one.
 *
 * @example
 * ```ts
 * const reader: PageReader = kv;
 * ```
 */
export interface PageReader {
  do(operation: GetOp, options?: CallOptions): Promise<RangeResult>;
}

const DEFAULT_PAGE_SIZE = 1000;

/**
 * Walks a range of any size in pages, in ascending key order, all read at one revision: the
 * `revision` option if given, else the first page's header revision. The walk is therefore a
 * consistent snapshot, however the range changes meanwhile. Stops after `limit` keys when given.
 *
 * Throws (as EtcdError) `invalid-argument` for missing options, no range selector, or a bad page
 * size or limit (before any I/O),
 * `compacted` when the pinned revision is compacted during the walk, `future-revision`, and the
 * transport's reasons (`unavailable`, `deadline-exceeded`, `canceled` on `signal`, …).
 *
 * @example
 * ```ts
 * for await (const page of paginate(kv, "jobs/", { prefix: true, pageSize: 500 })) {
 *   for (const item of page.kvs) console.log(item.keyText());
 * }
 * ```
 */
export async function* paginate(reader: PageReader, key: Bytes, given: PaginateOptions): AsyncGenerator<RangePage, void, undefined> {
  if (typeof (reader as Partial<PageReader> | null)?.do !== "function") {
    throw invalidArgumentError(`paginate reads through a KV (anything with do(op)), got ${typeName(reader)}`);
  }
  if (given === undefined) throw invalidArgumentError("paginate needs options with a range selector (prefix, end or fromKey)");
  const options = ownOptions(given) as PaginateOptions; // own properties only; rejects null, arrays and non-objects
  // Before the signal is read: { aborted: 1 } is no signal.
  checkCallOptions(options);
  const pageSize = options.pageSize === undefined ? DEFAULT_PAGE_SIZE : options.pageSize;
  const limit = options.limit === undefined ? 0 : options.limit;
  if (!Number.isSafeInteger(pageSize) || pageSize <= 0) throw invalidArgumentError(`pageSize must be a positive integer, got ${String(pageSize)}`);
  if (!Number.isSafeInteger(limit) || limit < 0) throw invalidArgumentError(`limit must be a non-negative integer, got ${String(limit)}`);
  const range = resolveRange(key, options);
  if (range.rangeEnd.length === 0) throw invalidArgumentError("paginate walks a range: give prefix, end or fromKey");
  const call: CallOptions = { signal: options.signal, timeoutMs: options.timeoutMs, requireLeader: options.requireLeader };
  let start = range.key;
  let revision: Revision = options.revision === undefined ? 0n : options.revision; // checked by makeGetOp
  let remaining = limit === 0 ? Number.POSITIVE_INFINITY : limit;
  while (remaining > 0) {
    if (options.signal?.aborted) throw abortedError(options.signal);
    const size = Math.min(pageSize, remaining);
    const page = await reader.do(
      makeGetOp({ key: start, rangeEnd: range.rangeEnd }, { ...options, revision, limit: size, sort: undefined, countOnly: false }),
      call,
    );
    if (revision === 0n) revision = page.revision;
    remaining -= page.kvs.length;
    if (page.kvs.length > 0) yield new RangePageRecord(page.header, revision, page.kvs);
    const last = page.kvs[page.kvs.length - 1];
    if (!page.more || last === undefined) return;
    start = keyAfter(last.key);
  }
}

/** The smallest key greater than `key`: `key + "\0"`. */
function keyAfter(key: Uint8Array): Uint8Array {
  const next = new Uint8Array(key.length + 1);
  next.set(key);
  return next;
}

/** `deadline-exceeded` for a timeout signal, else `canceled`; the signal's reason is the cause. */
function abortedError(signal: AbortSignal): EtcdError {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "TimeoutError") return toEtcdError(reason);
  return new EtcdError("the walk was canceled", "canceled", Code.Canceled, { cause: reason });
}
