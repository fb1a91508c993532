import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { type Bytes, type ResponseHeader, type Revision } from "@etcdkit/transport";
import {
  createRpcClient,
  invalidArgumentError,
  keyValueFromMessage,
  ownOptions,
  readableRecord,
  toEtcdError,
  toResponseHeader,
} from "@etcdkit/transport/internal";
import type { Watcher } from "./create-watch.js";
import { checkCreateSize } from "./watch-create-request.js";
import { WatchKeyValue } from "./watch-event.js";
import { resolveWatchSpec, wireRange, type WatchFeatures, type WatchRange } from "./watch-options.js";
import type { Watch } from "./watch.js";

/**
 * Options of {@link listThenWatch}: the key range, the watch's features (except
 * `startRevision`, which the read decides), and paging of the read.
 *
 * @example
 * ```ts
 * const options: ListThenWatchOptions = { prefix: true, prevKv: true, pageSize: 500, signal };
 * ```
 */
export type ListThenWatchOptions = WatchRange &
  Omit<WatchFeatures, "startRevision"> & {
    /** Keys per Range call; the read is paged at one pinned revision. Default 1000. */
    readonly pageSize?: number;
    /** Deadline of each Range call. */
    readonly timeoutMs?: number;
  };

/**
 * The snapshot read by {@link listThenWatch} and the watch that continues it.
 *
 * @example
 * ```ts
 * const { revision, kvs, watch } = await listThenWatch(watcher, "app/", { prefix: true });
 * ```
 */
export interface ListThenWatch {
  /** The revision of the snapshot. */
  readonly revision: Revision;
  /** Every key of the range at `revision`, in key order. */
  readonly kvs: readonly WatchKeyValue[];
  /** Every change after `revision` (it starts at `revision + 1`). */
  readonly watch: Watch;
  /** The header of etcd's answer to the first page of the snapshot (`header.revision` is `revision`). */
  readonly header: ResponseHeader;
}

/**
 * Reads a key range (paged, at one pinned revision), then watches it from the next revision: the
 * snapshot plus the watch see every change exactly once, which is what a cache needs. Uses the
 * watcher's transport and the generated KV client, so it stays independent of `@etcdkit/kv`.
 *
 * Throws (before I/O) like `watcher.watch` (also "message-too-large"), and "invalid-argument"
 * for a watcher that is not one, a `pageSize` that is not a positive integer or a `timeoutMs`
 * that is not a number. The read
 * can fail with any Range error ("compacted" if the pinned revision is compacted between pages,
 * "unavailable", ...).
 *
 * @example
 * ```ts
 * const { revision, kvs, watch } = await listThenWatch(watcher, "services/", { prefix: true });
 * const cache = new Map(kvs.map((kv) => [kv.keyText(), kv.text()]));
 * for await (const batch of watch) {
 *   for (const e of batch.events) e.type === "put" ? cache.set(e.kv.keyText(), e.kv.text()) : cache.delete(e.kv.keyText());
 * }
 * ```
 */
export async function listThenWatch(watcher: Watcher, key: Bytes, given?: ListThenWatchOptions): Promise<ListThenWatch> {
  if (typeof watcher?.watch !== "function" || typeof watcher.transport?.unary !== "function") {
    throw invalidArgumentError("listThenWatch: watcher must be a Watcher (from createWatch)");
  }
  const spec = resolveWatchSpec(key, given as never);
  checkCreateSize(spec);
  const options = ownOptions(given); // own properties only: a polluted Object.prototype sets none
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw invalidArgumentError("listThenWatch: pageSize must be a positive integer");
  const timeoutMs: unknown = options.timeoutMs;
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs))) {
    throw invalidArgumentError("listThenWatch: timeoutMs must be a number of milliseconds");
  }
  const call = Object.assign(Object.create(null) as object, { signal: options.signal, timeoutMs: options.timeoutMs });
  const kv = createRpcClient(KV, watcher.transport);
  const { key: start, rangeEnd } = wireRange(spec);
  const kvs: WatchKeyValue[] = [];
  let revision = 0n;
  let header: ResponseHeader | undefined;
  let from = start;
  try {
    for (;;) {
      // No prototype: every RangeRequest field left out must stay unset, whatever Object.prototype holds.
      const request = Object.assign(Object.create(null) as object, { key: from, rangeEnd, revision, limit: rangeEnd.length === 0 ? 0n : BigInt(pageSize) });
      const page = await kv.range(request, call);
      if (header === undefined) {
        header = toResponseHeader(page.header);
        revision = header.revision;
      }
      for (const item of page.kvs) kvs.push(keyValueFromMessage(item));
      const last = page.kvs[page.kvs.length - 1];
      if (!page.more || last === undefined) break;
      from = new Uint8Array(last.key.length + 1);
      from.set(last.key);
    }
  } catch (err) {
    throw toEtcdError(err);
  }
  const watch = watcher.watch(key, { ...(options as object), startRevision: revision + 1n } as never);
  return readableRecord({ revision, kvs, watch, header: header! });
}
