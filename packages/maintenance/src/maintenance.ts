import type { Writable } from "node:stream";
import type { CallOptions, MemberId, ResponseHeader, Revision } from "@etcdkit/transport";
import type { Alarm } from "./alarm.js";
import type { MemberStatus } from "./member-status.js";
import type { SnapshotProgress, SnapshotTask } from "./snapshot/snapshot-task.js";

/**
 * The hash of one member's key-value store, as `etcdctl endpoint hashkv` shows it.
 *
 * @example
 * ```ts
 * const { hash, compactRevision } = await maintenance.hashKV(endpoint, revision);
 * ```
 */
export interface HashKVResult {
  readonly header: ResponseHeader;
  /** Hash of all MVCC keys up to the requested revision (uint32). */
  readonly hash: number;
  /** The store's compact revision when the hash was computed; -1n if it was never compacted. */
  readonly compactRevision: Revision;
}

/**
 * The alarms a call returns (active ones for `alarmList`, disarmed ones for the disarm calls),
 * with the header of etcd's answer.
 *
 * @example
 * ```ts
 * const { alarms, header } = await maintenance.alarmList();
 * ```
 */
export interface AlarmResult {
  readonly alarms: readonly Alarm[];
  /**
   * The header of etcd's answer (for `alarmDisarmAll`: of its last call); undefined when etcd
   * sent none (etcd 3.4 answers alarm calls without one; 3.5 and later send it).
   */
  readonly header: ResponseHeader | undefined;
}

/**
 * The result of a call that etcd answers with nothing but its header (`defragment`,
 * `moveLeader`).
 *
 * @example
 * ```ts
 * const { header } = await maintenance.defragment(endpoint);
 * ```
 */
export interface MaintenanceResult {
  /** The header of etcd's answer; undefined when etcd sent none (etcd 3.4 never does for these; 3.5 and later do). */
  readonly header: ResponseHeader | undefined;
}

/**
 * The hash of one member's whole backend (all buckets; for testing only: it is computed without
 * MVCC locks).
 *
 * @example
 * ```ts
 * const { hash } = await maintenance.hash(endpoint);
 * ```
 */
export interface HashResult {
  readonly header: ResponseHeader;
  readonly hash: number;
}

/**
 * Options of `snapshot()`.
 *
 * @example
 * ```ts
 * await maintenance.snapshot(endpoint, "/backups/etcd.db", { onProgress: (p) => console.log(p.bytes), timeoutMs: 600_000 });
 * ```
 */
export interface SnapshotOptions extends CallOptions {
  /** Called after every received message; an exception thrown here fails the snapshot. */
  readonly onProgress?: ((progress: SnapshotProgress) => void) | undefined;
  /**
   * Check etcd's sha256 trailer before committing (default true). It proves the bytes arrived as
   * the member sent them (not truncated or damaged on the way), not that they are a genuine or
   * consistent etcd database: whoever answers can send any bytes with their own sha256.
   */
  readonly verify?: boolean | undefined;
  /**
   * Largest snapshot accepted, in bytes (with etcd's 32-byte trailer): a larger announced size
   * fails with "message-too-large" before anything is written. Default: no limit (the member's
   * announced size, plus the trailer, still bounds the stream).
   */
  readonly maxBytes?: number | undefined;
  /** For a stream target: end it once the snapshot is written (default true). */
  readonly end?: boolean | undefined;
}

/**
 * etcd's maintenance API: member status, alarms, defragmentation, hashes, leader transfer and
 * snapshots. Created by {@link createMaintenance}.
 *
 * Calls that address one member take its client URL first (`endpoint`), as etcdctl's
 * `--endpoints` does for `endpoint status`, `defrag`, `snapshot save`, ..., and go through
 * `transport.forEndpoint(endpoint)`: the shared transport's connection to that member (or one it
 * keeps for that URL), its TLS settings and auth token. Every call takes `{ signal, timeoutMs }`
 * and fails with an EtcdError; besides the reasons listed per call, the transport's
 * ("unavailable", "deadline-exceeded", "canceled", "permission-denied" and "invalid-auth-token"
 * with auth on, ...). Retries of a per-member call stay on that member.
 *
 * @example
 * ```ts
 * const maintenance = createMaintenance(transport);
 * for (const endpoint of endpoints) console.log(await maintenance.status(endpoint));
 * ```
 */
export interface Maintenance {
  /**
   * The status of one member: version, database size and size in use, leader, raft index, term
   * and applied index, learner flag, and the errors it reports (e.g. an active alarm).
   *
   * Reasons: "invalid-argument" (no or malformed endpoint, or a transport without `forEndpoint`).
   *
   * @example
   * ```ts
   * const { version, dbSize, isLeader } = await maintenance.status("http://10.0.0.1:2379");
   * ```
   */
  status(endpoint: string, options?: CallOptions): Promise<MemberStatus>;

  /**
   * The active alarms of the cluster (through the shared transport).
   *
   * Reasons: transport reasons only.
   *
   * @example
   * ```ts
   * const { alarms } = await maintenance.alarmList(); // [{ memberId: 0x8e9e…n, alarm: "nospace" }]
   * ```
   */
  alarmList(options?: CallOptions): Promise<AlarmResult>;

  /**
   * Disarms one alarm; returns the alarms disarmed (empty when it was not active). After a
   * "nospace" alarm, free space first (compact and defragment), or etcd raises it again.
   *
   * Reasons: "invalid-argument" (unknown alarm name, or a member ID that is not a bigint in
   * 1n … 2^64-1; use `alarmDisarmAll` to disarm every alarm).
   *
   * @example
   * ```ts
   * for (const alarm of (await maintenance.alarmList()).alarms) await maintenance.alarmDisarm(alarm);
   * ```
   */
  alarmDisarm(alarm: Alarm, options?: CallOptions): Promise<AlarmResult>;

  /**
   * Disarms every active alarm (lists them, then disarms each, as Go's `AlarmDisarm` with an
   * empty AlarmMember); returns the alarms disarmed.
   *
   * Reasons: transport reasons only.
   *
   * @example
   * ```ts
   * await maintenance.alarmDisarmAll();
   * ```
   */
  alarmDisarmAll(options?: CallOptions): Promise<AlarmResult>;

  /**
   * Defragments one member's backend, giving the space freed by compaction back to the file
   * system. The member blocks reads and writes while it runs: one member at a time.
   *
   * Reasons: "invalid-argument" (no or malformed endpoint, or a transport without `forEndpoint`).
   *
   * @example
   * ```ts
   * for (const endpoint of endpoints) await maintenance.defragment(endpoint, { timeoutMs: 60_000 });
   * ```
   */
  defragment(endpoint: string, options?: CallOptions): Promise<MaintenanceResult>;

  /**
   * The hash of one member's whole backend. For tests only; use `hashKV` to compare members.
   *
   * Reasons: "invalid-argument" (no or malformed endpoint, or a transport without `forEndpoint`).
   *
   * @example
   * ```ts
   * const { hash } = await maintenance.hash(endpoint);
   * ```
   */
  hash(endpoint: string, options?: CallOptions): Promise<HashResult>;

  /**
   * The hash of one member's keys up to `revision` (default 0n: the latest). Members that applied
   * the same history have the same hash at the same revision, which is how corruption is found.
   *
   * Reasons: "invalid-argument" (no or malformed endpoint, a transport without `forEndpoint`, revision outside 0n … 2^63-1), "compacted" (revision below the
   * compact revision), "future-revision" (the member has not reached it yet).
   *
   * @example
   * ```ts
   * const hashes = await Promise.all(endpoints.map((e) => maintenance.hashKV(e, revision)));
   * ```
   */
  hashKV(endpoint: string, revision?: Revision, options?: CallOptions): Promise<HashKVResult>;

  /**
   * Asks the leader to hand leadership over to `targetId`. `endpoint` must be the current
   * leader's client URL (`(await cluster.leader()).clientUrls[0]`).
   *
   * Reasons: "invalid-argument" (no or malformed endpoint, a transport without `forEndpoint`, target not a bigint in 1n … 2^64-1), "not-leader"
   * (endpoint is not the leader), "bad-leader-transferee"
   * (target unknown, a learner, or not caught up), "timeout".
   *
   * @example
   * ```ts
   * await maintenance.moveLeader(leader.clientUrls[0]!, follower.id);
   * ```
   */
  moveLeader(endpoint: string, targetId: MemberId, options?: CallOptions): Promise<MaintenanceResult>;

  /**
   * Streams one member's backend database to a file or a Node.js Writable, as
   * `etcdctl snapshot save` does. A file is written to a temp file beside `target`, fsynced and
   * renamed over `target` at the end; on any failure or abort the temp file is deleted and
   * `target` is untouched. etcd's sha256 trailer is checked before committing.
   *
   * Returns a SnapshotTask: await it for `{ bytes, sha256, path }`, or iterate it for progress
   * (or pass `onProgress`). Only this call needs Node.js (or a runtime with `node:` modules).
   *
   * Reasons: "invalid-argument" (no or malformed endpoint, a transport without `forEndpoint`, no target; an `onProgress` that is not a function,
   * a `verify` or `end` that is not a boolean, a `signal` that is not an AbortSignal, a
   * `timeoutMs` that is not a number, a `maxBytes` that is not a positive integer: all before
   * any I/O), "canceled" (signal), "deadline-exceeded" (also for `timeoutMs` 0 or less, before any I/O),
   * "corrupt" (the trailer did not match: truncated or damaged stream; or the stream contradicts
   * the size it announced), "message-too-large" (larger than `maxBytes`), "unknown" (file system
   * errors, with the Node.js error as cause), transport reasons.
   *
   * @example
   * ```ts
   * const { bytes, sha256 } = await maintenance.snapshot("http://10.0.0.1:2379", "/backups/etcd.db", {
   *   onProgress: ({ bytes, totalBytes }) => console.log(`${bytes}/${totalBytes ?? "?"}`),
   * });
   * ```
   */
  snapshot(endpoint: string, target: string | Writable, options?: SnapshotOptions): SnapshotTask;
}
