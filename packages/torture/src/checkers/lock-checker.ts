import type { History } from "../history/history.js";
import type { LockRecord } from "../history/types.js";
import { FENCED_KEY, LOCK_NAME } from "../workloads/lock-workload.js";
import type { RevisionLog } from "./revision-log.js";
import { checkResult, createViolationList, type CheckResult } from "./violation.js";

/**
 * Checks the lock-set workload. Locks on leases cannot promise mutual exclusion (a holder that is
 * paused or cut off past its TTL still believes it holds the lock after etcd handed it on), so
 * overlapping holds are counted and reported, not failed; what must hold is fencing:
 * - "token-reuse": two acquisitions with one fencing token;
 * - "token-order": an acquisition granted before another was asked for has a higher token;
 * - "fence-order": the guarded resource took a write with an older token after a newer one;
 * - "fence-without-lock": a guarded write applied at a revision where its lock key (the key whose
 *   create revision is its token) did not exist;
 * - "lock-granted-wrongly": at the revision where the client says it found the lock held, its key
 *   was not the oldest in the queue (or did not exist).
 *
 * @example
 * ```ts
 * const result = checkLocks(history, log);
 * ```
 */
export function checkLocks(history: History, log: RevisionLog | undefined, fencedKey = FENCED_KEY, lockPrefix = `${LOCK_NAME}/`): CheckResult {
  const locks = history.locks;
  if (locks.length === 0) return checkResult("locks", [], ["no lock acquisitions"]);
  const violations = createViolationList();
  const byToken = new Map<bigint, LockRecord>();
  for (const l of locks) {
    const other = byToken.get(l.token);
    if (other !== undefined) violations.add({ kind: "token-reuse", message: `two acquisitions got fencing token ${l.token}`, records: [other.id, l.id] });
    byToken.set(l.token, l);
  }
  const byInvoke = [...locks].sort((a, b) => a.acquireInvoke - b.acquireInvoke);
  const byReturn = [...locks].sort((a, b) => a.acquireReturn - b.acquireReturn);
  let k = 0;
  let max: LockRecord | undefined;
  for (const b of byInvoke) {
    while (k < byReturn.length && byReturn[k]!.acquireReturn < b.acquireInvoke) {
      const a = byReturn[k++]!;
      if (max === undefined || a.token > max.token) max = a;
    }
    if (max !== undefined && max.token >= b.token) {
      violations.add({ kind: "token-order", message: `token ${b.token} was granted after token ${max.token} had been`, records: [max.id, b.id] }, 5);
    }
  }

  const { overlapping, worst } = mutualExclusion(locks);
  const notes = [
    `${locks.length} acquisitions; mutual exclusion: ${overlapping} overlapped a previous holder's hold${overlapping > 0 ? ` (by up to ${Math.round(worst)} ms)` : ""}`,
  ];

  if (log !== undefined) {
    const lockKeys = new Set<string>();
    for (const e of log.events) if (e.key.startsWith(lockPrefix)) lockKeys.add(e.key);
    for (const l of locks) {
      if (l.acquiredAt === undefined || !log.covers(l.acquiredAt)) continue;
      const holder = oldestKey(log, lockKeys, l.acquiredAt);
      if (holder !== l.token) {
        violations.add(
          {
            kind: "lock-granted-wrongly",
            message: `token ${l.token} found the lock held at revision ${l.acquiredAt}, when the oldest key in the queue had create revision ${holder ?? "none"}`,
            records: [l.id],
          },
          5,
        );
      }
    }
    let previous: { token: bigint; revision: bigint } | undefined;
    for (const e of log.events) {
      if (e.key !== fencedKey || e.type !== "put") continue;
      const token = BigInt(e.value.slice(0, e.value.indexOf(":")));
      if (previous !== undefined && token < previous.token) {
        violations.add({
          kind: "fence-order",
          message: `${fencedKey} took a write with token ${token} at revision ${e.modRevision}, after one with token ${previous.token} at ${previous.revision}`,
        });
      }
      if (!lockKeyExists(log, lockPrefix, token, e.modRevision - 1n)) {
        violations.add({ kind: "fence-without-lock", message: `a write with token ${token} applied at revision ${e.modRevision}, when no lock key had that create revision` });
      }
      if (previous === undefined || token >= previous.token) previous = { token, revision: e.modRevision };
    }
  }
  return checkResult("locks", violations.items, notes, log === undefined);
}

/**
 * How often mutual exclusion failed: acquisitions granted while another client still believed it
 * held the lock, and the longest such overlap (ms).
 *
 * @example
 * ```ts
 * const { acquisitions, overlapping } = mutualExclusion(history.locks);
 * ```
 */
export function mutualExclusion(locks: readonly LockRecord[]): { acquisitions: number; overlapping: number; worst: number } {
  const holds = [...locks].sort((a, b) => a.acquireReturn - b.acquireReturn);
  let overlapping = 0;
  let worst = 0;
  let latest: LockRecord | undefined;
  for (const h of holds) {
    if (latest !== undefined && latest.client !== h.client && latest.heldUntil > h.acquireReturn) {
      overlapping++;
      worst = Math.max(worst, latest.heldUntil - h.acquireReturn);
    }
    if (latest === undefined || h.heldUntil > latest.heldUntil) latest = h;
  }
  return { acquisitions: locks.length, overlapping, worst };
}

/** The create revision of the oldest of `keys` at `revision` (the lock holder's). */
function oldestKey(log: RevisionLog, keys: ReadonlySet<string>, revision: bigint): bigint | undefined {
  let oldest: bigint | undefined;
  for (const key of keys) {
    const state = log.stateAt(key, revision);
    if (state != null && (oldest === undefined || state.createRevision < oldest)) oldest = state.createRevision;
  }
  return oldest;
}

/** Whether some key under `prefix` with create revision `token` existed at `revision`. */
function lockKeyExists(log: RevisionLog, prefix: string, token: bigint, revision: bigint): boolean {
  for (const e of log.eventsAt(token)) {
    if (!e.key.startsWith(prefix) || e.type !== "put") continue;
    const state = log.stateAt(e.key, revision);
    if (state != null && state.createRevision === token) return true;
  }
  return false;
}
