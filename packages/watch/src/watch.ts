import type { Revision } from "@etcdkit/transport";
import type { WatchBatch } from "./watch-event.js";

/**
 * One watch: an async iterable of batches that survives reconnects.
 *
 * - A watch has a single consumer: one `for await` loop (or one caller of `next()` at a time).
 *   Calling `next()` again while a `next()` is pending rejects with EtcdError
 *   "invalid-argument"; to fan events out, start one watch per consumer (they share the stream).
 * - Events come in revision order, each exactly once, whole revisions per batch.
 * - Iteration ends quietly after `return()` (e.g. `break` in `for await`), `cancel()`,
 *   `await using`, the `signal`, or `watcher.close()`; the watch is then canceled on the server.
 * - It throws an EtcdError when the watch cannot go on: "compacted" (with `compactRevision`)
 *   when its next revision was compacted, the server's reason when etcd canceled it (e.g.
 *   "permission-denied"), or "transport-closed" / "auth-failed" when the stream cannot be
 *   re-opened. Batches received before the error are delivered first.
 *
 * @example
 * ```ts
 * const watch = watcher.watch("foo");
 * await watch.ready;                   // the server has registered it
 * for await (const batch of watch) {
 *   for (const event of batch.events) console.log(event.type, event.kv.keyText(), event.kv.text());
 *   if (done) break;                   // cancels it on the server
 * }
 * ```
 */
export interface Watch extends AsyncIterableIterator<WatchBatch>, AsyncDisposable {
  /**
   * Resolves with the store revision at which the server registered the watch (later changes
   * are delivered, or from `startRevision` if given). Rejects (without an unhandled rejection
   * when unused) with the watch's error if it ends before being registered, and with reason
   * "unavailable" when a stream attempt that was to register it failed without reaching etcd
   * (with etcdkit's transport: no endpoint answered within its `dialTimeoutMs`). In that case
   * the watch itself goes on: it keeps re-opening the stream with backoff, and its iteration
   * delivers from its start revision once etcd is reachable (or ends with a typed error).
   */
  readonly ready: Promise<Revision>;
  /** The revision the watch resumes from after a reconnect: last delivered revision + 1 (0n: "now", not registered yet). */
  readonly nextRevision: Revision;
  /** Ends the watch quietly (like `return()`) and cancels it on the server. Idempotent. */
  cancel(): void;
  /** Ends the watch quietly and cancels it on the server (what `break` in `for await` calls). */
  return(): Promise<IteratorResult<WatchBatch>>;
}
