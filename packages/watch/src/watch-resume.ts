import type { Event } from "@etcdkit/api/mvccpb/kv_pb";
import type { Revision } from "@etcdkit/transport";

/**
 * How a watch knows where to resume. Every watch keeps one revision, `nextRevision`: the first
 * revision it has not delivered yet (0n: "from now", before etcd registered it). Whenever the
 * shared stream is re-opened, the watch is created again from that revision, so nothing is lost
 * and nothing is delivered twice:
 *
 * - **created**: a watch from "now" is pinned to the revision etcd created it at + 1, so changes
 *   made while a reconnect is under way are not missed (`resumeAfterCreate`);
 * - **events**: events before `nextRevision` were delivered before a reconnect and are dropped
 *   (`firstUndelivered`); after a batch, the watch resumes right after its last event's revision
 *   (`batchRevision` + 1);
 * - **progress**: a per-watch progress notification at R promises that everything up to R was
 *   sent before it, so the watch may resume at R + 1; an answer to `requestProgress()` promises
 *   nothing (etcd before 3.4.25 / 3.5.8 may send it ahead of queued events) and never moves it
 *   (`resumeAfterProgress`); a notification behind what was delivered is not shown
 *   (`progressBehind`).
 *
 * All pure functions: the revision lives in the watch (one field), the rules here.
 */

/**
 * The resume revision once etcd registered the watch at `created`: a watch from "now" (0n) is
 * pinned right after it; one with a start revision keeps it.
 *
 * @example
 * ```ts
 * resumeAfterCreate(0n, 41n);  // 42n
 * resumeAfterCreate(10n, 41n); // 10n
 * ```
 */
export function resumeAfterCreate(next: Revision, created: Revision): Revision {
  return next === 0n ? created + 1n : next;
}

/**
 * The index of the first event not delivered yet (mod revision ≥ `next`); `events.length` when
 * all were. Events of one response are in revision order.
 *
 * @example
 * ```ts
 * firstUndelivered(events, 42n); // events[i] with i before it were delivered already
 * ```
 */
export function firstUndelivered(events: readonly Event[], next: Revision): number {
  let start = 0;
  while (start < events.length && (events[start]!.kv?.modRevision ?? 0n) < next) start++;
  return start;
}

/**
 * The revision of a batch of `events`: its last event's (`fallback` when it has none). The
 * watch then resumes at that revision + 1.
 *
 * @example
 * ```ts
 * const revision = batchRevision(events, next);
 * next = revision + 1n;
 * ```
 */
export function batchRevision(events: readonly Event[], fallback: Revision): Revision {
  return events[events.length - 1]?.kv?.modRevision ?? fallback;
}

/**
 * True when a progress notification at `revision` is behind what the watch delivered (resuming
 * at `next`): it is then not shown.
 *
 * @example
 * ```ts
 * progressBehind(5n, 42n); // true
 * ```
 */
export function progressBehind(revision: Revision, next: Revision): boolean {
  return revision + 1n < next;
}

/**
 * The resume revision after a progress notification at `revision`: a per-watch one (`advance`)
 * moves it to `revision + 1` (once the watch is registered); an answer to `requestProgress()`
 * leaves it.
 *
 * @example
 * ```ts
 * resumeAfterProgress(10n, 20n, true);  // 21n
 * resumeAfterProgress(10n, 20n, false); // 10n
 * ```
 */
export function resumeAfterProgress(next: Revision, revision: Revision, advance: boolean): Revision {
  return advance && next !== 0n ? revision + 1n : next;
}
