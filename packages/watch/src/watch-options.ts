import {
  compareBytes,
  fromKeyRangeEnd,
  isBytes,
  prefixRangeEnd,
  toBytes,
  toOwnedBytes,
  type Bytes,
  type Revision,
} from "@etcdkit/transport";
import {
  booleanOption,
  checkRevision,
  emptyKeyError,
  invalidArgumentError,
  ownOptions,
  isAbortSignal,
} from "@etcdkit/transport/internal";

/**
 * Which keys a watch covers besides the single key (at most one form):
 *
 * - `{ prefix: true }`: every key starting with the key (an empty key: every key);
 * - `{ end: "z" }`: every key in `[key, end)`;
 * - `{ fromKey: true }`: every key greater than or equal to the key.
 *
 * @example
 * ```ts
 * watcher.watch("app/", { prefix: true });
 * watcher.watch("a", { end: "m" });
 * watcher.watch("m", { fromKey: true });
 * ```
 */
export type WatchRange =
  | { readonly prefix?: false; readonly end?: never; readonly fromKey?: false }
  | { readonly prefix: true; readonly end?: never; readonly fromKey?: false }
  | { readonly end: Bytes; readonly prefix?: false; readonly fromKey?: false }
  | { readonly fromKey: true; readonly prefix?: false; readonly end?: never };

/**
 * What a watch delivers and from where.
 *
 * @example
 * ```ts
 * const options: WatchOptions = { prefix: true, startRevision: 42n, prevKv: true, noDelete: true, signal };
 * ```
 */
export type WatchOptions = WatchRange & WatchFeatures;

/**
 * The options of a watch other than its key range.
 *
 * @example
 * ```ts
 * const features: WatchFeatures = { prevKv: true, progressNotify: true };
 * ```
 */
export interface WatchFeatures {
  /**
   * The first revision to deliver (inclusive). Default: changes after the watch is created
   * (see `Watch.ready`). A compacted start revision ends the watch with reason "compacted".
   */
  readonly startRevision?: Revision;
  /** Attach the previous key-value to every event (`event.prevKv`). */
  readonly prevKv?: boolean;
  /** Leave out put events (server-side filter). */
  readonly noPut?: boolean;
  /** Leave out delete events (server-side filter). */
  readonly noDelete?: boolean;
  /**
   * Deliver etcd's periodic progress notifications (empty batches with `progress: true`) while the
   * watch is idle; the interval is the server's `--experimental-watch-progress-notify-interval`
   * (10 minutes by default). etcdkit asks etcd for them on every watch, because they move the
   * watch's resume revision (so a quiet watch survives a reconnect after a compaction); without
   * this option they are not shown.
   */
  readonly progressNotify?: boolean;
  /**
   * Let etcd split a response larger than its `--max-request-bytes` (a huge revision, or a
   * catch-up of many revisions) over several messages, which are reassembled into one batch
   * (default true). With `false`, such a response comes whole, and one over the transport's
   * `maxReceiveMessageBytes` breaks the watch stream.
   */
  readonly fragment?: boolean;
  /**
   * Require the serving member to have a leader (default true). etcd ends a watch stream that
   * asked for one once its member has been without a leader for three election timeouts (a
   * partitioned member sees no new writes), and refuses to open one on such a member; the watch
   * then re-opens on another member and resumes. With `false` the watch stays on its member
   * through a leader loss (it sees nothing new until the member rejoins). Watches with and
   * without it use separate streams, since the setting is per stream (`hasleader` metadata).
   */
  readonly requireLeader?: boolean;
  /**
   * How many events the watch may hold for its consumer (received, not yet read; a progress
   * batch counts as one). Default 10,000. Past it the watch ends with EtcdError "slow-consumer"
   * carrying `resumeRevision`, after the consumer has read what was queued; the other watches
   * are not affected. A single batch larger than the bound is accepted when nothing is queued.
   * `Infinity`: no bound.
   */
  readonly maxQueuedEvents?: number;
  /**
   * How many bytes of keys and values (with `prevKv`, theirs too) the watch may hold for its
   * consumer. Default 64 MiB. Past it the watch ends like for `maxQueuedEvents`.
   */
  readonly maxQueuedBytes?: number;
  /** Ends the watch (quietly, like `return()`) and cancels it on the server. */
  readonly signal?: AbortSignal;
}

/**
 * Option bits of a resolved watch, kept as one small integer per watch.
 *
 * @example
 * ```ts
 * (spec.flags & WatchFlag.PrevKv) !== 0; // prevKv requested
 * ```
 */
export const WatchFlag = { PrevKv: 1, NoPut: 2, NoDelete: 4, ProgressNotify: 8, Fragment: 16, LeaderOptional: 32 } as const;

/**
 * How a watch's range end is derived from its key.
 *
 * @example
 * ```ts
 * resolveWatchSpec("a/", { prefix: true }).rangeKind === RangeKind.Prefix; // true
 * ```
 */
export const RangeKind = { Single: 0, Prefix: 1, FromKey: 2, End: 3 } as const;
/**
 * One of the RangeKind values.
 *
 * @example
 * ```ts
 * const kind: RangeKind = RangeKind.FromKey;
 * ```
 */
export type RangeKind = (typeof RangeKind)[keyof typeof RangeKind];

/**
 * A validated watch request. A string key is kept as given (it costs less memory than its
 * bytes), a byte-array key or end as a private copy; the wire request is built each time the
 * watch is (re)created.
 *
 * @example
 * ```ts
 * const spec = resolveWatchSpec("app/", { prefix: true });
 * ```
 */
export interface WatchSpec {
  readonly key: Bytes;
  readonly rangeKind: RangeKind;
  readonly end: Bytes | undefined;
  readonly flags: number;
  readonly startRevision: Revision;
  readonly limits: QueueLimits;
}

/**
 * The bound of what a watch holds for its consumer (see `maxQueuedEvents`, `maxQueuedBytes`).
 *
 * @example
 * ```ts
 * resolveWatchSpec("k", { maxQueuedEvents: 100 }).limits; // { events: 100, bytes: 67108864 }
 * ```
 */
export interface QueueLimits {
  readonly events: number;
  readonly bytes: number;
}

/**
 * The default queue bound of a watch: 10,000 events or 64 MiB of keys and values.
 *
 * @example
 * ```ts
 * defaultQueueLimits.events; // 10000
 * ```
 */
export const defaultQueueLimits: QueueLimits = Object.freeze({ events: 10_000, bytes: 64 * 1024 * 1024 });

/**
 * Validates a key and options (before any I/O).
 *
 * Throws EtcdError "empty-key" for an empty key without a range, "invalid-argument" for options
 * that are not an object, two range forms at once, an empty `end` or one that does not sort after
 * the key, a start revision that is not a bigint in [0n, 2^63 - 1], a flag that is not a boolean,
 * a queue bound that is not a positive integer (or Infinity), or a non-AbortSignal signal. Only
 * the options' own properties count (see `ownOptions`). (A
 * start revision etcd cannot encode would otherwise end every watch on the shared stream.) A
 * Uint8Array key or end is copied, so the caller may reuse it.
 *
 * @example
 * ```ts
 * resolveWatchSpec("foo", { startRevision: 5n, prevKv: true });
 * resolveWatchSpec("", {}); // throws "empty-key"
 * resolveWatchSpec("k", { end: "a" }); // throws "invalid-argument"
 * ```
 */
export function resolveWatchSpec(key: Bytes, options: WatchOptions | undefined): WatchSpec {
  if (!isBytes(key)) throw invalidArgumentError("watch: the key must be a string or a Uint8Array");
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw invalidArgumentError("watch: options must be an object");
  }
  // Own properties only: a polluted Object.prototype sets no option.
  const o = ownOptions(options as Partial<WatchFeatures> & { prefix?: boolean; end?: Bytes; fromKey?: boolean }, "watch: options");
  checkBooleans(o);
  const forms = (o.prefix === true ? 1 : 0) + (o.fromKey === true ? 1 : 0) + (o.end !== undefined ? 1 : 0);
  if (forms > 1) throw invalidArgumentError("watch: use only one of prefix, end and fromKey");
  const rangeKind =
    o.prefix === true ? RangeKind.Prefix : o.fromKey === true ? RangeKind.FromKey : o.end !== undefined ? RangeKind.End : RangeKind.Single;
  if (rangeKind === RangeKind.Single && key.length === 0) throw emptyKeyError();
  if (o.end !== undefined) checkEnd(key, o.end);
  const startRevision = checkRevision(o.startRevision ?? 0n, "watch: startRevision");
  if (o.signal !== undefined && !isAbortSignal(o.signal)) {
    throw invalidArgumentError("watch: signal must be an AbortSignal");
  }
  const flags =
    (o.prevKv === true ? WatchFlag.PrevKv : 0) |
    (o.noPut === true ? WatchFlag.NoPut : 0) |
    (o.noDelete === true ? WatchFlag.NoDelete : 0) |
    (o.progressNotify === true ? WatchFlag.ProgressNotify : 0) |
    (o.fragment !== false ? WatchFlag.Fragment : 0) |
    (o.requireLeader === false ? WatchFlag.LeaderOptional : 0);
  // The watch is re-created from its spec after every reconnect: it must not see the caller
  // reusing its buffer (strings are immutable and kept as given, which costs less memory).
  const limits = queueLimits(o.maxQueuedEvents, o.maxQueuedBytes);
  return { key: owned(key), rangeKind, end: o.end === undefined ? undefined : owned(o.end), flags, startRevision, limits };
}

const booleanOptions = ["prefix", "fromKey", "prevKv", "noPut", "noDelete", "progressNotify", "fragment", "requireLeader"] as const;

/** A flag given as anything but a boolean (e.g. `prefix: "true"`) would silently watch something else. */
function checkBooleans(o: Partial<Record<(typeof booleanOptions)[number], unknown>>): void {
  for (const name of booleanOptions) {
    booleanOption(o[name], `watch: ${name}`);
  }
}

/**
 * `end` must be bytes that sort after the key (as sent: an empty key starts at "\0"); etcd
 * reads an empty end as "just the key" and refuses `end <= key`. "\0" means every key from the
 * key on, as in etcd.
 */
function checkEnd(key: Bytes, end: unknown): void {
  if (!isBytes(end)) throw invalidArgumentError("watch: end must be a string or a Uint8Array");
  const endBytes = toBytes(end);
  if (endBytes.length === 0) throw invalidArgumentError("watch: end must not be empty (use fromKey for every key from the key on)");
  if (endBytes.length === 1 && endBytes[0] === 0) return;
  const start = key.length === 0 ? zeroKey : toBytes(key);
  if (compareBytes(start, endBytes) >= 0) throw invalidArgumentError("watch: end must sort after the key (the range [key, end) is empty)");
}

/** The queue bound of a watch; the shared default object unless one is given (a watch stays small). */
function queueLimits(events: unknown, bytes: unknown): QueueLimits {
  if (events === undefined && bytes === undefined) return defaultQueueLimits;
  return {
    events: events === undefined ? defaultQueueLimits.events : bound(events, "maxQueuedEvents"),
    bytes: bytes === undefined ? defaultQueueLimits.bytes : bound(bytes, "maxQueuedBytes"),
  };
}

function bound(value: unknown, name: string): number {
  if (typeof value !== "number" || !(value >= 1) || (!Number.isSafeInteger(value) && value !== Infinity)) {
    throw invalidArgumentError(`watch: ${name} must be a positive integer or Infinity`);
  }
  return value;
}

/** A string as given, a byte array as a private copy. */
function owned(value: Bytes): Bytes {
  return typeof value === "string" ? value : toOwnedBytes(value);
}

const zeroKey = new Uint8Array([0]);
const noRangeEnd = new Uint8Array(0);

/**
 * The wire key and range end of a watch (Go's rules: a prefix or fromKey watch on an empty key
 * covers every key).
 *
 * @example
 * ```ts
 * wireRange(resolveWatchSpec("app/", { prefix: true })); // { key: "app/", rangeEnd: "app0" }
 * ```
 */
export function wireRange(spec: { readonly key: Bytes; readonly rangeKind: RangeKind; readonly end: Bytes | undefined }): {
  key: Uint8Array;
  rangeEnd: Uint8Array;
} {
  const key = toBytes(spec.key);
  switch (spec.rangeKind) {
    case RangeKind.Prefix:
      return key.length === 0 ? { key: zeroKey, rangeEnd: fromKeyRangeEnd } : { key, rangeEnd: prefixRangeEnd(key) };
    case RangeKind.FromKey:
      return { key: key.length === 0 ? zeroKey : key, rangeEnd: fromKeyRangeEnd };
    case RangeKind.End:
      return { key: key.length === 0 ? zeroKey : key, rangeEnd: toBytes(spec.end!) };
    default:
      return { key, rangeEnd: noRangeEnd };
  }
}
