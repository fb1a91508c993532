import type { Event } from "@etcdkit/api/mvccpb/kv_pb";
import { type Bytes, type EtcdError, type Revision } from "@etcdkit/transport";
import { invalidArgumentError } from "@etcdkit/transport/internal";
import { canceledByConsumer, slowConsumerError } from "./watch-errors.js";
import { toWatchEvent, type WatchBatch, type WatchEvent } from "./watch-event.js";
import { WatchFlag, type QueueLimits, type RangeKind, type WatchSpec } from "./watch-options.js";
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

/**
 * A subscription is pending (not on the current stream), creating, active, or ended.
 *
 * @example
 * ```ts
 * if (sub.state === SubState.Active) sub.onProgress(revision, false);
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

/** Bits of `WatchSubscription.bits` above the watch's option flags (WatchFlag, bits 0–5). */
const FLAG_MASK = 63;
const RANGE_SHIFT = 6; // 2 bits of RangeKind
const STATE_SHIFT = 8; // 2 bits of SubState
const REGISTERED = 1 << 10; // etcd registered the watch at least once
const ERROR_DELIVERED = 1 << 11;

/** The parts of a watch's state that only exist while used. */
interface SubExtra {
  queue: WatchBatch[] | undefined;
  head: number;
  /** Events (a progress batch counts as one) and bytes of keys and values in the queue. */
  queuedEvents: number;
  queuedBytes: number;
  fragments: Event[] | undefined;
  error: EtcdError | undefined;
}

/** `ready` before it was asked for: resolvers only exist while someone waits. */
interface ReadyWaiter {
  readonly promise: Promise<Revision>;
  resolve(revision: Revision): void;
  reject(error: EtcdError): void;
}

/**
 * The state of one watch: its request, its resume revision, its per-stream watch ID, the
 * fragments of a split revision, and the batches not yet consumed. Implements `Watch`.
 *
 * Thousands of idle watches are common, so the object is kept small: the request is stored as
 * given (key, end, option bits), `ready` costs nothing until it is read, and a pending `next()`
 * keeps only its promise's resolve function.
 *
 * @example
 * ```ts
 * const sub = new WatchSubscription(resolveWatchSpec("k", {}), host, signal);
 * hub.add(sub);
 * ```
 */
export class WatchSubscription implements Watch {
  readonly key: Bytes;
  readonly end: Bytes | undefined;
  nextRevision: Revision;
  /** The watch ID on the current stream, -1 when none. */
  id = -1;
  /** Links of the owning watcher's WatchList. */
  prevInList: WatchSubscription | undefined = undefined;
  nextInList: WatchSubscription | undefined = undefined;

  /** WatchFlag bits, RangeKind, SubState and the REGISTERED / ERROR_DELIVERED bits. */
  private bits: number;
  private readonly host: SubscriptionHost;
  /** What the watch may hold for its consumer (usually the shared default object). */
  private readonly limits: QueueLimits;
  /** The resolve function of a pending `next()`; errors are handed over as a rejected promise. */
  private waiter: ((result: IteratorResult<WatchBatch> | Promise<never>) => void) | undefined = undefined;
  /** undefined, the created revision (not asked for yet), a waiter, or the settled promise. */
  private readyState: Revision | ReadyWaiter | Promise<Revision> | undefined = undefined;
  /** Queued batches, partial fragments, the error: only while there are any (most watches idle without). */
  private extra: SubExtra | undefined = undefined;
  private abort: { readonly signal: AbortSignal; readonly listener: () => void } | undefined = undefined;

  constructor(spec: WatchSpec, host: SubscriptionHost, signal: AbortSignal | undefined) {
    this.key = spec.key;
    this.end = spec.end;
    this.bits = spec.flags | (spec.rangeKind << RANGE_SHIFT);
    this.nextRevision = spec.startRevision;
    this.host = host;
    this.limits = spec.limits;
    if (signal !== undefined) {
      const listener = (): void => this.cancel();
      this.abort = { signal, listener };
      signal.addEventListener("abort", listener, { once: true });
    }
  }

  /** Where the watch is on the current stream. */
  get state(): SubState {
    return ((this.bits >> STATE_SHIFT) & 3) as SubState;
  }

  set state(state: SubState) {
    this.bits = (this.bits & ~(3 << STATE_SHIFT)) | (state << STATE_SHIFT);
  }

  /** The WatchFlag bits of the watch's options. */
  get flags(): number {
    return this.bits & FLAG_MASK;
  }

  /** False for a watch that opted out of `requireLeader` (it lives on the other stream). */
  get requireLeader(): boolean {
    return (this.bits & WatchFlag.LeaderOptional) === 0;
  }

  get rangeKind(): RangeKind {
    return ((this.bits >> RANGE_SHIFT) & 3) as RangeKind;
  }

  /** True while part of a fragmented revision has arrived. */
  get fragmented(): boolean {
    return this.extra?.fragments !== undefined;
  }

  get ready(): Promise<Revision> {
    const state = this.readyState;
    if (state instanceof Promise) return state;
    if (typeof state === "bigint") return (this.readyState = Promise.resolve(state));
    if (state !== undefined) return state.promise;
    if (this.state === SubState.Ended) {
      const promise = rejected(this.extra?.error ?? canceledByConsumer());
      return (this.readyState = promise);
    }
    let resolve!: (revision: Revision) => void;
    let reject!: (error: EtcdError) => void;
    const promise = new Promise<Revision>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.readyState = { promise, resolve, reject };
    return promise;
  }

  /** The server registered the watch on the current stream; `revision` is the created response's header revision. */
  onCreated(revision: Revision): void {
    this.state = SubState.Active;
    // A watch from "now" is pinned to the revision it was created at, so a reconnect resumes
    // right after it and changes made while disconnected are not missed.
    if (this.nextRevision === 0n) this.nextRevision = revision + 1n;
    if ((this.bits & REGISTERED) !== 0) return;
    this.bits |= REGISTERED;
    const state = this.readyState;
    if (state === undefined) {
      this.readyState = revision;
    } else if (typeof state === "object" && !(state instanceof Promise)) {
      this.readyState = state.promise;
      state.resolve(revision);
    }
  }

  /**
   * Events (or a fragment of them) for this watch. Events before `nextRevision` are dropped:
   * after a resume they were delivered already.
   */
  onEvents(events: Event[], fragment: boolean): void {
    if (this.state === SubState.Ended) return;
    const pending = this.extra?.fragments;
    if (fragment) {
      if (pending === undefined) this.extras().fragments = events.slice();
      else for (const e of events) pending.push(e);
      return;
    }
    let all = events;
    if (pending !== undefined) {
      all = pending;
      for (const e of events) all.push(e);
      this.extra!.fragments = undefined;
      this.trimExtra();
    }
    let start = 0;
    const next = this.nextRevision;
    while (start < all.length && (all[start]!.kv?.modRevision ?? 0n) < next) start++;
    if (start === all.length) return;
    const revision = all[all.length - 1]!.kv?.modRevision ?? next;
    this.nextRevision = revision + 1n;
    const mapped = new Array<WatchEvent>(all.length - start);
    for (let i = start; i < all.length; i++) mapped[i - start] = toWatchEvent(all[i]!);
    this.push({ events: mapped, revision, progress: false }, next);
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
  onProgress(revision: Revision, advance: boolean): void {
    if (this.state === SubState.Ended) return;
    const from = this.nextRevision;
    if (revision + 1n < from) return; // never report progress behind what was delivered
    if (advance) {
      if (from !== 0n) this.nextRevision = revision + 1n;
      if ((this.bits & WatchFlag.ProgressNotify) === 0) return;
    }
    this.push({ events: [], revision, progress: true }, from);
  }

  /**
   * A stream attempt that was to register this watch failed without reaching etcd: `ready`
   * rejects with `error` (once, if etcd has not registered the watch yet); the watch goes on.
   */
  readyFailed(error: EtcdError): void {
    if (this.state === SubState.Ended || (this.bits & REGISTERED) !== 0) return;
    const state = this.readyState;
    if (state instanceof Promise || typeof state === "bigint") return;
    if (state === undefined) {
      this.readyState = rejected(error);
      return;
    }
    this.readyState = state.promise;
    state.reject(error);
  }

  /** The current stream is gone: forget its watch ID and any partial revision. */
  detach(): void {
    if (this.state === SubState.Ended) return;
    this.state = SubState.Idle;
    this.id = -1;
    if (this.extra !== undefined) {
      this.extra.fragments = undefined;
      this.trimExtra();
    }
  }

  /** Ends the watch with an error (after the batches already queued). */
  fail(error: EtcdError): void {
    if (this.state === SubState.Ended) return;
    this.extras().error = error;
    this.finish();
    const waiter = this.waiter;
    if (waiter !== undefined && this.extra?.queue === undefined) {
      this.waiter = undefined;
      this.bits |= ERROR_DELIVERED;
      waiter(rejected(error));
    }
  }

  cancel(): void {
    if (this.state === SubState.Ended) return;
    if (this.extra !== undefined) this.clearQueue(this.extra);
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
    const extra = this.extra;
    const queue = extra?.queue;
    if (queue !== undefined) {
      const value = queue[extra!.head]!;
      queue[extra!.head] = undefined as unknown as WatchBatch;
      if (++extra!.head === queue.length) {
        this.clearQueue(extra!);
        this.trimExtra();
      } else {
        extra!.queuedEvents -= weight(value);
        extra!.queuedBytes -= batchBytes(value);
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.state === SubState.Ended) {
      const error = extra?.error;
      if (error !== undefined && (this.bits & ERROR_DELIVERED) === 0) {
        this.bits |= ERROR_DELIVERED;
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

  private extras(): SubExtra {
    return (this.extra ??= { queue: undefined, head: 0, queuedEvents: 0, queuedBytes: 0, fragments: undefined, error: undefined });
  }

  private clearQueue(extra: SubExtra): void {
    extra.queue = undefined;
    extra.head = 0;
    extra.queuedEvents = 0;
    extra.queuedBytes = 0;
  }

  /** Drops the extras once they hold nothing. */
  private trimExtra(): void {
    const extra = this.extra;
    if (extra !== undefined && extra.queue === undefined && extra.fragments === undefined && extra.error === undefined) this.extra = undefined;
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
    const extra = this.extras();
    const events = weight(batch);
    const bytes = batchBytes(batch);
    if (extra.queue !== undefined) {
      const limits = this.limits;
      if (extra.queuedEvents + events > limits.events || extra.queuedBytes + bytes > limits.bytes) {
        this.fail(slowConsumerError(from, limits));
        return;
      }
    }
    (extra.queue ??= []).push(batch);
    extra.queuedEvents += events;
    extra.queuedBytes += bytes;
  }

  private finish(): void {
    this.state = SubState.Ended;
    if (this.extra !== undefined) {
      this.extra.fragments = undefined;
      this.trimExtra();
    }
    const abort = this.abort;
    if (abort !== undefined) {
      abort.signal.removeEventListener("abort", abort.listener);
      this.abort = undefined;
    }
    const state = this.readyState;
    if (typeof state === "object" && !(state instanceof Promise)) {
      this.readyState = state.promise;
      state.reject(this.extra?.error ?? canceledByConsumer());
    }
    this.host.released(this);
  }
}

/** What a queued batch counts against `maxQueuedEvents`: its events, or one for a progress batch. */
function weight(batch: WatchBatch): number {
  return batch.events.length === 0 ? 1 : batch.events.length;
}

/** What a queued batch counts against `maxQueuedBytes`: its keys and values (previous ones too). */
function batchBytes(batch: WatchBatch): number {
  let bytes = 0;
  for (const e of batch.events) {
    bytes += e.kv.key.length + e.kv.value.length;
    if (e.prevKv !== undefined) bytes += e.prevKv.key.length + e.prevKv.value.length;
  }
  return bytes;
}

/** A rejected promise that is never reported as unhandled (it is handed to a resolver at once). */
function rejected(error: EtcdError): Promise<never> {
  const promise = Promise.reject(error);
  promise.catch(() => {});
  return promise;
}
