import type { FinalRead, RecordedEvent, WatchRecord } from "../history/types.js";

/**
 * The state of one key at a revision: its value and metadata, or null when absent.
 *
 * @example
 * ```ts
 * const state: KeyState = { value: "c1-2", modRevision: 7n, createRevision: 7n, version: 1 };
 * ```
 */
export type KeyState = { readonly value: string; readonly modRevision: bigint; readonly createRevision: bigint; readonly version: number } | null;

/**
 * The store's complete sequence of changes, as the log collector saw it (a watch of every key
 * from revision 1): the ground truth the checkers compare everything with. etcd gives every
 * change its own revision and never leaves one out (a write that changes nothing takes no
 * revision), so a complete log has events at every revision from `first` to `last`.
 *
 * @example
 * ```ts
 * const log = buildRevisionLog(collector, final);
 * log.stateAt("r/0", 41n); // the key as a read at revision 41 must see it
 * ```
 */
export interface RevisionLog {
  /** The first revision with events (2 on a fresh cluster). */
  readonly first: bigint;
  /** The last revision delivered. */
  readonly last: bigint;
  /** Revisions in [first, last] with no event: a complete log has none. */
  readonly holes: readonly bigint[];
  /** Events in delivery order. */
  readonly events: readonly RecordedEvent[];
  /** Revisions at which each put value was written (more than one: the value was written twice). */
  readonly revisionsOfValue: ReadonlyMap<string, readonly bigint[]>;
  /** Events of one revision. */
  eventsAt(revision: bigint): readonly RecordedEvent[];
  /** A key's state at `revision`, or undefined when the log cannot tell (outside [1, last]). */
  stateAt(key: string, revision: bigint): KeyState | undefined;
  /** True when the log covers every revision up to `revision` without holes. */
  covers(revision: bigint): boolean;
}

interface KeyVersion {
  readonly revision: bigint;
  readonly state: KeyState;
}

/**
 * Builds the log from the collector's batches (a watch of every key starting at revision 1).
 *
 * @example
 * ```ts
 * const log = buildRevisionLog(history.watches.find((w) => w.collector)!);
 * ```
 */
export function buildRevisionLog(collector: WatchRecord): RevisionLog {
  const events: RecordedEvent[] = [];
  const byRevision = new Map<bigint, RecordedEvent[]>();
  const revisionsOfValue = new Map<string, bigint[]>();
  const perKey = new Map<string, KeyVersion[]>();
  for (const batch of collector.batches) {
    for (const e of batch.events) {
      events.push(e);
      const at = byRevision.get(e.modRevision);
      if (at === undefined) byRevision.set(e.modRevision, [e]);
      else at.push(e);
      if (e.type === "put") {
        const seen = revisionsOfValue.get(e.value);
        if (seen === undefined) revisionsOfValue.set(e.value, [e.modRevision]);
        else if (!seen.includes(e.modRevision)) seen.push(e.modRevision);
      }
      let versions = perKey.get(e.key);
      if (versions === undefined) perKey.set(e.key, (versions = []));
      const state: KeyState =
        e.type === "put" ? { value: e.value, modRevision: e.modRevision, createRevision: e.createRevision, version: e.version } : null;
      versions.push({ revision: e.modRevision, state });
    }
  }
  for (const versions of perKey.values()) versions.sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0));
  let first = 0n;
  let last = 0n;
  for (const r of byRevision.keys()) {
    if (first === 0n || r < first) first = r;
    if (r > last) last = r;
  }
  const start = (collector.request.startRevision ?? 1n) > 2n ? collector.request.startRevision! : 2n;
  const holes: bigint[] = [];
  for (let r = start; r <= last; r++) if (!byRevision.has(r)) holes.push(r);
  const holeSet = new Set(holes);

  return {
    first: first === 0n ? start : first,
    last,
    holes,
    events,
    revisionsOfValue,
    eventsAt: (revision) => byRevision.get(revision) ?? [],
    stateAt(key, revision) {
      if (revision < 1n || revision > last) return undefined;
      const versions = perKey.get(key);
      if (versions === undefined) return null;
      let lo = 0;
      let hi = versions.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (versions[mid]!.revision <= revision) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return found < 0 ? null : versions[found]!.state;
    },
    covers(revision) {
      if (revision > last) return false;
      if (holeSet.size === 0) return true;
      for (const h of holeSet) if (h <= revision) return false;
      return true;
    },
  };
}

/**
 * Keys of the final read as states, for comparing with the log replayed to the same revision.
 *
 * @example
 * ```ts
 * finalStates(final).get("r/0"); // { value, modRevision, createRevision, version }
 * ```
 */
export function finalStates(final: FinalRead): Map<string, KeyState> {
  const states = new Map<string, KeyState>();
  for (const kv of final.kvs) {
    states.set(kv.key, { value: kv.value, modRevision: kv.modRevision, createRevision: kv.createRevision, version: kv.version });
  }
  return states;
}
