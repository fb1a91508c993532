import { compareBytes, isEtcdError, type KeyValue, type Revision } from "@etcdkit/transport";
import { toEtcdError } from "@etcdkit/transport/internal";
import { listThenWatch, type WatchEvent, type Watcher } from "@etcdkit/watch";

/**
 * One observation of an election: its leader (the candidate key with the lowest create revision:
 * `leader.createRevision` is the leader's fencing token, `leader.text()` its proclaimed value), or
 * `undefined` when nobody leads, as of store revision `revision`.
 *
 * @example
 * ```ts
 * for await (const { leader, revision } of election.observe()) {
 *   console.log(revision, leader === undefined ? "no leader" : leader.text());
 * }
 * ```
 */
export interface LeaderObservation {
  readonly leader: KeyValue | undefined;
  readonly revision: Revision;
}

/**
 * Observes the election whose candidate keys start with `queue`: yields the current state first,
 * then every change — a new leader, a new proclaimed value, and "no leader" (`leader`
 * undefined) when the last candidate left. Several changes in one watch batch (several
 * revisions, or several candidates in one txn) are each applied and judged per revision, so the
 * leader yielded is always the oldest candidate that exists at that revision. A compacted or
 * dropped watch is recovered by reading the candidates again. Ends quietly when `signal` aborts
 * or the consumer stops; throws the watch's fatal errors.
 *
 * @example
 * ```ts
 * for await (const { leader } of observeQueue(watcher, "elections/api/", signal)) console.log(leader?.text());
 * ```
 */
export async function* observeQueue(watcher: Watcher, queue: string, signal: AbortSignal | undefined): AsyncGenerator<LeaderObservation, void, undefined> {
  let last: KeyValue | undefined | null = null; // null: nothing yielded yet
  const aborted = (): boolean => signal?.aborted === true;
  while (!aborted()) {
    let listed;
    try {
      listed = await listThenWatch(watcher, queue, { prefix: true, signal });
    } catch (err) {
      if (aborted()) return;
      throw toEtcdError(err);
    }
    const candidates = new Map<string, KeyValue>(listed.kvs.map((kv) => [kv.keyText(), kv]));
    const current = oldest(candidates);
    if (last === null || changed(last, current)) {
      last = current;
      yield { leader: current, revision: listed.revision };
    }
    try {
      for await (const batch of listed.watch) {
        for (const [revision, events] of byRevision(batch.events)) {
          for (const event of events) {
            if (event.type === "put") candidates.set(event.kv.keyText(), event.kv);
            else candidates.delete(event.kv.keyText());
          }
          const next = oldest(candidates);
          if (changed(last, next)) {
            last = next;
            yield { leader: next, revision };
          }
        }
      }
      return; // ended quietly: canceled
    } catch (err) {
      if (!isEtcdError(err, ["compacted", "slow-consumer"])) throw toEtcdError(err);
      // Fell behind a compaction (or its buffer): read the candidates again and go on.
    } finally {
      listed.watch.cancel();
    }
  }
}

/**
 * The candidate with the lowest create revision (ties, from one txn, by key), if any.
 *
 * @example
 * ```ts
 * const leader = oldest(new Map(kvs.map((kv) => [kv.keyText(), kv])));
 * ```
 */
export function oldest(candidates: ReadonlyMap<string, KeyValue>): KeyValue | undefined {
  let best: KeyValue | undefined;
  for (const kv of candidates.values()) {
    if (best === undefined || kv.createRevision < best.createRevision) best = kv;
    else if (kv.createRevision === best.createRevision && compareBytes(kv.key, best.key) < 0) best = kv;
  }
  return best;
}

function changed(before: KeyValue | undefined, after: KeyValue | undefined): boolean {
  if (before === undefined || after === undefined) return before !== after;
  return before.createRevision !== after.createRevision || before.modRevision !== after.modRevision;
}

/** The events of a batch grouped per revision, in order. */
function byRevision(events: readonly WatchEvent[]): [Revision, WatchEvent[]][] {
  const groups: [Revision, WatchEvent[]][] = [];
  for (const event of events) {
    const revision = event.kv.modRevision;
    const group = groups[groups.length - 1];
    if (group !== undefined && group[0] === revision) group[1].push(event);
    else groups.push([revision, [event]]);
  }
  return groups;
}
