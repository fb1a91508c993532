import type { History } from "../history/history.js";
import type { LeaseRecord, TermSample } from "../history/types.js";
import { checkResult, type CheckResult, type Violation } from "./violation.js";

/**
 * Time allowances of the lease checker, in ms.
 *
 * @example
 * ```ts
 * checkLeases(history, { slackMs: 1500 });
 * ```
 */
export interface LeaseCheckOptions {
  /** Timer and scheduling lateness tolerated on a loaded machine (default 1000). */
  readonly slackMs?: number;
  /** The cluster's election timeout (default 500, the test harness's). */
  readonly electionTimeoutMs?: number;
  /** How often etcd's leader looks for expired leases (500 ms in etcd 3.4). */
  readonly expiryScanMs?: number;
}

/**
 * Checks the lease guarantees:
 * - "lease-lost-late": `lost` must fire no later than the last renewal + TTL. The checker only
 *   knows when renewals were *observed* (after the request was sent), so its bound — last
 *   observed renewal (or grant) + TTL + slack — is looser than the client's promise (last renewal
 *   *sent* + TTL) and still catches a client that waits longer (etcd3 waits 2 × TTL). A lease
 *   that kept being renewed after such a gap, or whose `lost` never fired while it was tracked
 *   past the bound, is reported the same way.
 * - "lease-keys-outlived": keys attached to a lease are gone from etcd once it is revoked (a read
 *   invoked after the revoke returned must not see them), or, once renewals stopped (released or
 *   lost), within TTL + election timeout + etcd's expiry scan + slack. A leader that dies or is
 *   cut off before then expires nothing, and its successor restarts every lease's TTL: after a
 *   leaderless spell or a leader change that may have begun inside the window, the bound becomes
 *   the new leader's arrival (as the leader monitor saw it) + TTL + the same allowances.
 *
 * @example
 * ```ts
 * const result = checkLeases(history);
 * ```
 */
export function checkLeases(history: History, options: LeaseCheckOptions = {}): CheckResult {
  const slack = options.slackMs ?? 1000;
  const election = options.electionTimeoutMs ?? 500;
  const scan = options.expiryScanMs ?? 500;
  const leaderChanges = leaderDisruptions(history.terms);
  const violations: Violation[] = [];
  let lost = 0;
  for (const lease of history.leases) {
    if (lease.lost !== undefined) lost++;
    violations.push(...checkLostInTime(lease, slack));
    violations.push(...checkKeysGone(lease, leaderChanges, slack + election + scan));
  }
  return checkResult("lease", violations, [`${history.leases.length} leases, ${lost} lost, ${leaderChanges.length} leader changes or leaderless spells seen`]);
}

function checkLostInTime(lease: LeaseRecord, slack: number): Violation[] {
  const ttlMs = lease.ttl * 1000;
  const label = `lease ${lease.leaseId.toString(16)} (TTL ${lease.ttl} s)`;
  const lostAt = lease.lost?.at ?? Infinity;
  let previous = lease.grantReturn;
  for (const at of lease.renewals) {
    if (at > lostAt) break;
    if (at - previous > ttlMs + slack) {
      return [
        {
          kind: "lease-lost-late",
          message: `${label}: no renewal for ${Math.round(at - previous)} ms and not lost, then renewed again`,
          records: [lease.id],
        },
      ];
    }
    previous = at;
  }
  const bound = previous + ttlMs + slack;
  if (lostAt > bound && lease.trackedUntil > bound) {
    return [
      {
        kind: "lease-lost-late",
        message:
          lease.lost === undefined
            ? `${label}: last renewal seen at ${Math.round(previous)} ms, still not lost at ${Math.round(lease.trackedUntil)} ms`
            : `${label}: last renewal seen at ${Math.round(previous)} ms, lost ("${lease.lost.reason}") only ${Math.round(lostAt - previous - ttlMs)} ms after its deadline`,
        records: [lease.id],
      },
    ];
  }
  return [];
}

function checkKeysGone(lease: LeaseRecord, disruptions: readonly Disruption[], allowance: number): Violation[] {
  const label = `lease ${lease.leaseId.toString(16)} (TTL ${lease.ttl} s)`;
  const violations: Violation[] = [];
  const revokedAt = lease.revoke?.status === "ok" ? lease.revoke.return : undefined;
  const stoppedAt = Math.min(lease.releasedAt ?? Infinity, lease.lost?.at ?? Infinity);
  let bound = Infinity;
  if (Number.isFinite(stoppedAt)) {
    const ttlMs = lease.ttl * 1000;
    bound = stoppedAt + ttlMs + allowance;
    // A disruption that may have begun before the bound leaves nobody to expire the lease until a
    // new leader, which restarts its TTL: the bound moves to that leader's election + TTL.
    for (const d of disruptions) {
      if (d.led < stoppedAt) continue;
      if (d.began > bound) break;
      bound = Math.max(bound, d.led + ttlMs + allowance);
    }
  }
  if (revokedAt !== undefined) bound = Math.min(bound, revokedAt);
  for (const read of lease.keyReads) {
    if (read.present && read.invoke > bound) {
      violations.push({
        kind: "lease-keys-outlived",
        message: `${label}: key ${read.key} still present in a read invoked ${Math.round(read.invoke - bound)} ms after ${
          revokedAt !== undefined && bound === revokedAt ? "the revoke returned" : "the latest time etcd could have expired the lease"
        }`,
        records: [lease.id],
      });
      break;
    }
  }
  return violations;
}

/**
 * A stretch in which the leader that held the leases may have stopped expiring them: from when
 * it was last seen fine (`began`) to when a leader was seen again, in a new term or after a
 * leaderless spell (`led`: the latest time the new leader can have taken over).
 */
interface Disruption {
  readonly began: number;
  readonly led: number;
}

/** Leaderless spells and term changes seen by the leader monitor, in time order. */
function leaderDisruptions(samples: readonly TermSample[]): Disruption[] {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const out: Disruption[] = [];
  let term = -1n;
  let began: number | undefined;
  for (const s of sorted) {
    const leader = s.leader ?? true;
    const changed = term >= 0n && s.term > term;
    if (!leader) began ??= s.prev ?? s.at;
    else if (began !== undefined || changed) {
      out.push({ began: began ?? s.prev ?? s.at, led: s.at });
      began = undefined;
    }
    if (s.term > term) term = s.term;
  }
  if (began !== undefined) out.push({ began, led: Infinity });
  return out;
}
