import type { OpStatus, RecordedError } from "./operation-types.js";

/**
 * One event delivered by a watch, flattened.
 *
 * @example
 * ```ts
 * const event: RecordedEvent = { type: "put", key: "r/0", value: "c1-2", modRevision: 7n, createRevision: 7n, version: 1, isCreate: true };
 * ```
 */
export interface RecordedEvent {
  readonly type: "put" | "delete";
  readonly key: string;
  readonly value: string;
  readonly modRevision: bigint;
  readonly createRevision: bigint;
  readonly version: number;
  readonly isCreate: boolean;
  /** With `prevKv`: the previous value and its mod revision, when etcd sent one. */
  readonly prevValue?: string;
  readonly prevModRevision?: bigint;
}

/**
 * One batch a watch delivered. `stream` is the watcher's count of streams opened when the batch
 * arrived: a change between two batches means the watch was resumed on a new stream.
 *
 * @example
 * ```ts
 * const batch: RecordedBatch = { at: 120.5, revision: 9n, progress: false, stream: 1, events: [] };
 * ```
 */
export interface RecordedBatch {
  readonly at: number;
  readonly revision: bigint;
  readonly progress: boolean;
  readonly stream: number;
  readonly events: readonly RecordedEvent[];
}

/**
 * One batch of a watch, written as it arrives (so a long watch is not held in memory); the
 * watch's own record, written when it ends, has the batches merged back in by `groupHistory`.
 *
 * @example
 * ```ts
 * const record: WatchBatchRecord = { type: "batch", watch: 4, batch };
 * ```
 */
export interface WatchBatchRecord {
  readonly type: "batch";
  readonly watch: number;
  readonly batch: RecordedBatch;
}

/**
 * What a watch asked for.
 *
 * @example
 * ```ts
 * const request: WatchRequest = { key: "r/", prefix: true, prevKv: true, startRevision: 1n };
 * ```
 */
export interface WatchRequest {
  readonly key: string;
  readonly prefix?: boolean;
  readonly end?: string;
  readonly fromKey?: boolean;
  readonly startRevision?: bigint;
  readonly prevKv?: boolean;
  readonly noPut?: boolean;
  readonly noDelete?: boolean;
  readonly progressNotify?: boolean;
}

/**
 * One watch from start to end. `created` is what `watch.ready` resolved with (the watch of a
 * request without `startRevision` delivers from `created + 1`).
 *
 * @example
 * ```ts
 * const record: WatchRecord = { type: "watch", id: 4, client: 2, request, invoke: 3, created: 17n, batches: [], end: { at: 90, how: "canceled" } };
 * ```
 */
export interface WatchRecord {
  readonly type: "watch";
  readonly id: number;
  readonly client: number;
  /** True for the log collector: a watch of every key from revision 1. */
  readonly collector?: boolean;
  readonly request: WatchRequest;
  readonly invoke: number;
  readonly created?: bigint;
  readonly batches: readonly RecordedBatch[];
  readonly end: {
    readonly at: number;
    readonly how: "canceled" | "error";
    readonly error?: RecordedError;
    /**
     * Set when the watch was canceled at the end of the run, after the final read at this
     * revision: by then it must have delivered every matching change up to it.
     */
    readonly through?: bigint;
  };
}

/**
 * One lease from grant to the end of its tracking: when renewals were observed, when (and why)
 * `lost` fired, when keepalive was stopped, its keys, and the reads that looked for its keys.
 *
 * @example
 * ```ts
 * const lease: LeaseRecord = { type: "lease", id: 5, client: 3, leaseId: 0x1234n, ttl: 2, grantInvoke: 1, grantReturn: 3,
 *   renewals: [700, 1400], keys: ["l/1234/0"], keyReads: [], trackedUntil: 9000 };
 * ```
 */
export interface LeaseRecord {
  readonly type: "lease";
  readonly id: number;
  readonly client: number;
  readonly leaseId: bigint;
  /** Granted TTL in seconds. */
  readonly ttl: number;
  readonly grantInvoke: number;
  readonly grantReturn: number;
  /** Monotonic times at which renewals were observed. */
  readonly renewals: readonly number[];
  /** When `lease.lost` settled, and its reason. */
  readonly lost?: { readonly at: number; readonly reason: string };
  /** When keepalive was stopped on purpose (release), if it was. */
  readonly releasedAt?: number;
  /** A revoke: its invoke/return and status. */
  readonly revoke?: { readonly invoke: number; readonly return: number; readonly status: OpStatus };
  /** Keys put with the lease (acknowledged or not). */
  readonly keys: readonly string[];
  /** Linearizable reads of the lease's keys after it was released, lost or revoked. */
  readonly keyReads: readonly { readonly key: string; readonly invoke: number; readonly return: number; readonly present: boolean }[];
  /** Until when the lease's `lost` was being watched (the client was closed or the run ended after). */
  readonly trackedUntil: number;
}

/**
 * One acquisition of the lock-set workload's lock: when it was asked for and granted, its
 * fencing token, the writes made under it (each a txn guarded on still holding the lock), until
 * when its holder believed it held the lock, and how it ended.
 *
 * @example
 * ```ts
 * const lock: LockRecord = { type: "lock", id: 9, client: 2, name: "locks/set", token: 120n, acquireInvoke: 10, acquireReturn: 14,
 *   heldUntil: 300, writes: [{ invoke: 20, return: 25, value: "120:c2-1", status: "ok", applied: true, revision: 125n }] };
 * ```
 */
export interface LockRecord {
  readonly type: "lock";
  readonly id: number;
  readonly client: number;
  readonly name: string;
  readonly token: bigint;
  /** The store revision at which the client found the lock held (its key the oldest in the queue). */
  readonly acquiredAt?: bigint;
  readonly acquireInvoke: number;
  readonly acquireReturn: number;
  /** When the holder stopped believing it held the lock: its unlock, or its session's loss if that came first. */
  readonly heldUntil: number;
  readonly sessionLost?: { readonly at: number; readonly reason: string };
  readonly writes: readonly {
    readonly invoke: number;
    readonly return: number;
    readonly value: string;
    readonly status: OpStatus;
    /** For an ok write: whether the guard held (the put applied). */
    readonly applied?: boolean;
    readonly revision?: bigint;
  }[];
}

/**
 * A fault the nemesis injected, from start to heal.
 *
 * @example
 * ```ts
 * const fault: NemesisRecord = { type: "nemesis", name: "kill", target: "member-1", start: 100, end: 2300 };
 * ```
 */
export interface NemesisRecord {
  readonly type: "nemesis";
  readonly name: string;
  readonly target: string;
  readonly start: number;
  readonly end: number;
  /** For a compaction: the revision compacted to. */
  readonly revision?: bigint;
  readonly error?: string;
}

/**
 * What the leader monitor saw when something changed: the highest raft term any member reported,
 * and whether a reachable member was leader. `prev` is when the poll before this one ran (the
 * change happened between `prev` and `at`).
 *
 * @example
 * ```ts
 * const sample: TermSample = { type: "term", at: 5000, prev: 4700, term: 3n, leader: true };
 * ```
 */
export interface TermSample {
  readonly type: "term";
  readonly at: number;
  readonly prev?: number;
  readonly term: bigint;
  /** False when no member that answered was leader (killed, paused or cut-off leader, election). */
  readonly leader?: boolean;
}

/**
 * The final linearizable read of every key, after the faults healed.
 *
 * @example
 * ```ts
 * const final: FinalRead = { type: "final", at: 1, revision: 99n, kvs: [{ key: "r/0", value: "c1-3", modRevision: 97n, createRevision: 4n, version: 12 }] };
 * ```
 */
export interface FinalRead {
  readonly type: "final";
  readonly at: number;
  readonly revision: bigint;
  readonly kvs: readonly {
    readonly key: string;
    readonly value: string;
    readonly modRevision: bigint;
    readonly createRevision: bigint;
    readonly version: number;
  }[];
}
