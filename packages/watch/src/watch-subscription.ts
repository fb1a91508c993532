import type { Event } from "@etcdkit/api/mvccpb/kv_pb";
import type { ResponseHeader as RawHeader } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { type Bytes, type EtcdError, type ResponseHeader, type Revision } from "@etcdkit/transport";
import { invalidArgumentError, ReadableRecord, toResponseHeader } from "@etcdkit/transport/internal";
import { canceledByConsumer, slowConsumerError } from "./watch-errors.js";
import { toWatchEvent, type WatchBatch, type WatchEvent } from "./watch-event.js";
import { WatchBatch as Batch } from "./watch-records.js";
import { WatchFlag, type QueueLimits, type RangeKind, type WatchSpec } from "./watch-options.js";
import { WatchBacklog } from "./watch-backlog.js";
import { askReady, isReadyWaiter, readyPromise, readyRejected, readyResolved, rejected, type ReadyState } from "./watch-ready.js";
import { batchRevision, firstUndelivered, progressBehind, resumeAfterCreate, resumeAfterProgress } from "./watch-resume.js";
import type { Watch } from "./watch.js";

/**
 * What a subscription tells its owner: it ended (for any reason) and must be forgotten.
 *
 * @example
 * ```ts
 * const host: SubscriptionHost = { released: (sub) => list.remove(sub) };
 * ```
 */
export interface SubscriptionHost {
  /** The subscription ended (its state is already Ended; `id` is still its watch ID on the stream). */
  released(sub: WatchSubscription): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
const noEvents: readonly WatchEvent[] = Object.freeze([]);

/**
 * A subscription is pending (not on the current stream), creating, active, or ended.
 *
 * @example
 * ```ts
 * if (sub.state === SubState.Active) sub.onProgress(header, false);
 * ```
 */
export const SubState = { Idle: 0, Creating: 1, Active: 2, Ended: 3 } as const;
/**
 * One of the SubState values.
 *
 * @example
 * ```ts
 * const state: SubState = SubState.Idle;
 * ```
 */
export type SubState = (typeof SubState)[keyof typeof SubState];

/**
 * The state of one watch: its request, its resume revision, its per-stream watch ID, the
 * fragments of a split revision, and the batches not yet consumed. Implements `Watch`.
 *
 * Thousands of idle watches are common, so the object is kept small: the request is stored as
 * given (key, end, option bits), `ready` costs nothing until it is read, a pending `next()` keeps
 * only its promise's resolve function, and what it holds for its consumer lives in a
 * `WatchBacklog` that exists only while it holds anything. Where it resumes after a reconnect
 * follows the rules of `watch-resume.ts`.
 *
 * @example
 * ```ts
 * const sub = new WatchSubscription(resolveWatchSpec("k", {}), host, signal);
 * hub.add(sub);
 * ```
 */
export class WatchSubscription extends ReadableRecord implements Watch {
  readonly key: Bytes;
  readonly end: Bytes | undefined;
  nextRevision: Revision;
  /** The watch ID on the current stream, -1 when none. */
  id = -1;
  /** Links of the owning watcher's WatchList. */
  prevInList: WatchSubscription | undefined = undefined;
  nextInList: WatchSubscription | undefined = undefined;

  /** The WatchFlag bits of the watch's options. */
  readonly flags: number;
  /** How the range end derives from the key. */
  readonly rangeKind: RangeKind;
  /** Where the watch is on the current stream. */
  state: SubState = SubState.Idle;
  /** etcd registered the watch at least once (`ready` resolved or is to resolve). */
  private registered = false;
  private readonly host: SubscriptionHost;
  /** What the watch may hold for its consumer (usually the shared default object). */
  private readonly limits: QueueLimits;
  /** The resolve function of a pending `next()`; errors are handed over as a rejected promise. */
  private waiter: ((result: IteratorResult<WatchBatch> | Promise<never>) => void) | undefined = undefined;
  /** undefined, the created revision (not asked for yet), a waiter, or the settled promise. */
  private readyState: ReadyState = undefined;
  /** Queued batches, partial fragments, the error: only while there are any (most watches idle without). */
  private backlog: WatchBacklog | undefined = undefined;
  private abort: { readonly signal: AbortSignal; readonly listener: () => void } | undefined = undefined;

  constructor(spec: WatchSpec, host: SubscriptionHost, signal: AbortSignal | undefined) {
    super();
    this.key = spec.key;
    this.end = spec.end;
    this.flags = spec.flags;
    this.rangeKind = spec.rangeKind;
    this.nextRevision = spec.startRevision;
    this.host = host;
    this.limits = spec.limits;
    if (signal !== undefined) {
      const listener = (): void => this.cancel();
      this.abort = { signal, listener };
      signal.addEventListener("abort", listener, { once: true });
    }
  }

  /** False for a watch that opted out of `requireLeader` (it lives on the other stream). */
  get requireLeader(): boolean {
    return (this.flags & WatchFlag.LeaderOptional) === 0;
  }

  /** True while part of a fragmented revision has arrived. */
  get fragmented(): boolean {
    return this.backlog?.fragments !== undefined;
  }

  get ready(): Promise<Revision> {
    const state = this.readyState;
    if (state === undefined && this.state === SubState.Ended) {
      return (this.readyState = rejected(this.backlog?.error ?? canceledByConsumer()));
    }
    const asked = askReady(state);
    this.readyState = asked;
    return readyPromise(asked);
  }

  /** The server registered the watch on the current stream; `revision` is the created response's header revision. */
  onCreated(revision: Revision): void {
    this.state = SubState.Active;
    this.nextRevision = resumeAfterCreate(this.nextRevision, revision);
    if (this.registered) return;
    this.registered = true;
    this.readyState = readyResolved(this.readyState, revision);
  }

  /**
   * Events (or a fragment of them) for this watch, from a response with `header`. Events before
   * `nextRevision` are dropped: after a resume they were delivered already.
   */
  onEvents(events: Event[], fragment: boolean, header?: RawHeader): void {
    if (this.state === SubState.Ended) return;
    const pending = this.backlog?.fragments;
    if (fragment) {
      if (pending === undefined) this.held().fragments = events.slice();
      else for (const e of events) pending.push(e);
      return;
    }
    let all = events;
    if (pending !== undefined) {
      all = pending;
      for (const e of events) all.push(e);
      this.backlog!.fragments = undefined;
      this.dropBacklogIfEmpty();
    }
    const next = this.nextRevision;
    const start = firstUndelivered(all, next);
    if (start === all.length) return;
    const revision = batchRevision(all, next);
    this.nextRevision = revision + 1n;
    const mapped = new Array<WatchEvent>(all.length - start);
    for (let i = start; i < all.length; i++) mapped[i - start] = toWatchEvent(all[i]!);
    this.push(new Batch(mapped, revision, false, toResponseHeader(header)), next);
  }

  /**
   * A progress notification at `revision`.
   *
   * - `advance` (a per-watch notification): the server guarantees that every event up to
   *   `revision` was sent before it, so a resume may start after it. etcdkit asks for these on
   *   every watch; the consumer sees them only with the progressNotify option.
   * - otherwise (an answer to `requestProgress()`, which etcd before 3.4.25 / 3.5.8 may send ahead
   *   of queued events): shown to every watch, never moves the resume revision.
   */
  onProgress(header: ResponseHeader, advance: boolean): void {
    if (this.state === SubState.Ended) return;
    const revision = header.revision;
    const from = this.nextRevision;
    if (progressBehind(revision, from)) return; // never report progress behind what was delivered
    if (advance) {
      this.nextRevision = resumeAfterProgress(from, revision, true);
      if ((this.flags & WatchFlag.ProgressNotify) === 0) return;
    }
    this.push(new Batch(noEvents, revision, true, header), from);
  }

  /**
   * A stream attempt that was to register this watch failed without reaching etcd: `ready`
   * rejects with `error` (once, if etcd has not registered the watch yet); the watch goes on.
   */
  readyFailed(error: EtcdError): void {
    if (this.state === SubState.Ended || this.registered) return;
    this.readyState = readyRejected(this.readyState, error, true);
  }

  /** The current stream is gone: forget its watch ID and any partial revision. */
  detach(): void {
    if (this.state === SubState.Ended) return;
    this.state = SubState.Idle;
    this.id = -1;
    if (this.backlog !== undefined) {
      this.backlog.fragments = undefined;
      this.dropBacklogIfEmpty();
    }
  }

  /** Ends the watch with an error (after the batches already queued). */
  fail(error: EtcdError): void {
    if (this.state === SubState.Ended) return;
    const backlog = this.held();
    backlog.error = error;
    this.finish();
    const waiter = this.waiter;
    if (waiter !== undefined && backlog.queue === undefined) {
      this.waiter = undefined;
      backlog.errorDelivered = true;
      waiter(rejected(error));
    }
  }

  cancel(): void {
    if (this.state === SubState.Ended) return;
    this.backlog?.clearQueue();
    this.finish();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(DONE);
  }

  next(): Promise<IteratorResult<WatchBatch>> {
    if (this.waiter !== undefined) {
      return Promise.reject(
        invalidArgumentError("watch: a watch has a single consumer; next() was called again before the previous next() settled"),
      );
    }
    const backlog = this.backlog;
    if (backlog?.queue !== undefined) {
      const value = backlog.dequeue();
      this.dropBacklogIfEmpty();
      return Promise.resolve({ value, done: false });
    }
    if (this.state === SubState.Ended) {
      const error = backlog?.error;
      if (error !== undefined && !backlog!.errorDelivered) {
        backlog!.errorDelivered = true;
        return Promise.reject(error);
      }
      return Promise.resolve(DONE);
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<WatchBatch>> {
    this.cancel();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.cancel();
    return Promise.resolve();
  }

  /** What `JSON.stringify(watch)` and `console.log(watch)` show: what it watches and where it is. */
  protected override readableFields(): object {
    return { key: this.key, end: this.end, nextRevision: this.nextRevision, state: stateNames[this.state] };
  }

  /** The backlog, created on first use. */
  private held(): WatchBacklog {
    return (this.backlog ??= new WatchBacklog());
  }

  /** Drops the backlog once it holds nothing. */
  private dropBacklogIfEmpty(): void {
    if (this.backlog?.empty === true) this.backlog = undefined;
  }

  /**
   * Hands `batch` to a waiting consumer or queues it. `from` is the first revision the batch
   * covers (the resume revision before it). Past the queue bound the watch ends "slow-consumer"
   * instead, with `from` as the revision to resume from: the consumer first reads what was queued.
   */
  private push(batch: WatchBatch, from: Revision): void {
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter({ value: batch, done: false });
      return;
    }
    if (!this.held().offer(batch, this.limits)) this.fail(slowConsumerError(from, this.limits));
  }

  private finish(): void {
    this.state = SubState.Ended;
    if (this.backlog !== undefined) {
      this.backlog.fragments = undefined;
      this.dropBacklogIfEmpty();
    }
    const abort = this.abort;
    if (abort !== undefined) {
      abort.signal.removeEventListener("abort", abort.listener);
      this.abort = undefined;
    }
    // Only a waiting `ready` is rejected now; one asked later is answered by the getter.
    const ready = this.readyState;
    if (isReadyWaiter(ready)) this.readyState = readyRejected(ready, this.backlog?.error ?? canceledByConsumer(), false);
    this.host.released(this);
  }
}

const stateNames = ["idle", "creating", "active", "ended"] as const;
