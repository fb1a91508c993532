import type { Transport } from "@connectrpc/connect";
import { EtcdError, type Bytes } from "@etcdkit/transport";
import { checkTransport, ownOptions } from "@etcdkit/transport/internal";
import { Code } from "@connectrpc/connect";
import { WatchHub, type WatchOwner, type WatchStats } from "./watch-hub.js";
import { checkCreateSize } from "./watch-create-request.js";
import { WatchList } from "./watch-list.js";
import { resolveWatchSpec, type WatchOptions } from "./watch-options.js";
import { WatchSubscription, type SubscriptionHost } from "./watch-subscription.js";
import type { Watch } from "./watch.js";

/**
 * Watches on one transport. Every watch of every watcher on the same transport shares one bidi
 * stream, re-opened (with a fresh auth token, on a healthy endpoint, with backoff) whenever it
 * breaks; each watch then resumes from its last delivered revision + 1.
 *
 * @example
 * ```ts
 * const watcher = createWatch(transport);
 * for await (const batch of watcher.watch("foo", { prefix: true, prevKv: true, signal })) {
 *   for (const event of batch.events) console.log(event.type, event.kv.keyText(), event.kv.text());
 * }
 * await watcher.close();
 * ```
 */
export interface Watcher extends AsyncDisposable {
  /**
   * Starts watching `key` (with `prefix`, `end` or `fromKey`: a range). Returns at once; the
   * watch is registered in the background (`watch.ready`). See {@link Watch} for the delivery
   * guarantees and how a watch ends.
   *
   * Throws (before any I/O) EtcdError "empty-key" for an empty key without a range,
   * "invalid-argument" for bad options, "message-too-large" for a create request over 2 MiB (the
   * transport's default send limit; a smaller limit of the transport or of etcd ends only this
   * watch, with the same reason), "canceled" after `close()`. The iteration can throw
   * "compacted" (with `compactRevision`), "permission-denied" or another server reason, and
   * "transport-closed" / "auth-failed".
   *
   * @example
   * ```ts
   * const watch = watcher.watch("config/", { prefix: true, startRevision: 42n });
   * ```
   */
  watch(key: Bytes, options?: WatchOptions): Watch;
  /**
   * Asks etcd for a progress notification on every watch of the stream: each gets an empty batch
   * with `progress: true` and the store revision. No-op while the stream is being re-opened.
   * Note: etcd before 3.4.25 / 3.5.8 may send this response ahead of events it has queued for
   * the stream; per-watch `progressNotify` notifications do not have that problem.
   *
   * @example
   * ```ts
   * watcher.requestProgress();
   * ```
   */
  requestProgress(): void;
  /** Ends every watch of this watcher (quietly) and cancels them on the server. Idempotent. */
  close(): Promise<void>;
  /** Counters of the transport's shared watch stream. */
  readonly stats: WatchStats;
  /** The transport this watcher uses (for helpers such as `listThenWatch`). */
  readonly transport: Transport;
}

const hubs = new WeakMap<Transport, WatchHub>();

/**
 * Creates a watcher on `transport` (any Connect transport; etcdkit's `createTransport` is the
 * fast one). Watchers on the same transport share its one watch stream.
 *
 * @example
 * ```ts
 * const transport = createTransport({ endpoints: ["http://127.0.0.1:2379"] });
 * const watcher = createWatch(transport);
 * const watch = watcher.watch("foo");
 * for await (const batch of watch) console.log(batch.revision, batch.events.length);
 * ```
 */
export function createWatch(transport: Transport): Watcher {
  checkTransport(transport, "createWatch");
  let hub = hubs.get(transport);
  if (hub === undefined) {
    hub = new WatchHub(transport);
    hubs.set(transport, hub);
  }
  return new WatcherHandle(transport, hub);
}

class WatcherHandle implements Watcher, SubscriptionHost, WatchOwner {
  readonly transport: Transport;
  readonly subs = new WatchList();
  private readonly hub: WatchHub;
  private closed = false;

  constructor(transport: Transport, hub: WatchHub) {
    this.transport = transport;
    this.hub = hub;
  }

  get stats(): WatchStats {
    return this.hub.stats;
  }

  watch(key: Bytes, options?: WatchOptions): Watch {
    const spec = resolveWatchSpec(key, options);
    checkCreateSize(spec);
    if (this.closed) throw new EtcdError("watch: the watcher was closed", "canceled", Code.Canceled);
    const signal = ownOptions(options).signal;
    const sub = new WatchSubscription(spec, this, signal?.aborted === true ? undefined : signal);
    if (signal?.aborted === true) {
      sub.cancel();
      return sub;
    }
    this.subs.add(sub);
    this.hub.add(this, sub);
    return sub;
  }

  released(sub: WatchSubscription): void {
    if (this.subs.remove(sub)) this.hub.released(this, sub);
  }

  requestProgress(): void {
    this.hub.requestProgress();
  }

  close(): Promise<void> {
    this.closed = true;
    for (const sub of this.subs) sub.cancel();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
