import type {
  AppendOperation,
  FinalRead,
  HistoryRecord,
  KvOperation,
  LeaseRecord,
  LockRecord,
  NemesisRecord,
  RecordedBatch,
  TermSample,
  WatchRecord,
} from "./types.js";

/**
 * A history grouped by record type, in the order records were written.
 *
 * @example
 * ```ts
 * const history = groupHistory(await sink.load());
 * console.log(history.kv.length, history.watches.length);
 * ```
 */
export interface History {
  readonly kv: readonly KvOperation[];
  readonly append: readonly AppendOperation[];
  readonly watches: readonly WatchRecord[];
  readonly leases: readonly LeaseRecord[];
  readonly locks: readonly LockRecord[];
  readonly nemesis: readonly NemesisRecord[];
  readonly terms: readonly TermSample[];
  readonly final: FinalRead | undefined;
}

/**
 * Groups records by type.
 *
 * @example
 * ```ts
 * const { kv, final } = groupHistory(records);
 * ```
 */
export function groupHistory(records: Iterable<HistoryRecord>): History {
  const kv: KvOperation[] = [];
  const append: AppendOperation[] = [];
  const watches: WatchRecord[] = [];
  const leases: LeaseRecord[] = [];
  const locks: LockRecord[] = [];
  const nemesis: NemesisRecord[] = [];
  const terms: TermSample[] = [];
  let final: FinalRead | undefined;
  const batches = new Map<number, RecordedBatch[]>();
  for (const r of records) {
    switch (r.type) {
      case "kv":
        kv.push(r);
        break;
      case "append":
        append.push(r);
        break;
      case "watch":
        watches.push(r);
        break;
      case "lease":
        leases.push(r);
        break;
      case "lock":
        locks.push(r);
        break;
      case "nemesis":
        nemesis.push(r);
        break;
      case "term":
        terms.push(r);
        break;
      case "final":
        final = r;
        break;
      case "batch": {
        const list = batches.get(r.watch);
        if (list === undefined) batches.set(r.watch, [r.batch]);
        else list.push(r.batch);
        break;
      }
    }
  }
  if (batches.size > 0) {
    for (const [i, w] of watches.entries()) {
      const streamed = batches.get(w.id);
      if (streamed !== undefined) watches[i] = { ...w, batches: [...streamed, ...w.batches] };
    }
  }
  return { kv, append, watches, leases, locks, nemesis, terms, final };
}

/**
 * An empty history with the given parts filled in (for tests and hand-built histories).
 *
 * @example
 * ```ts
 * const history = makeHistory({ kv: [put, get] });
 * ```
 */
export function makeHistory(parts: Partial<History>): History {
  return {
    kv: parts.kv ?? [],
    append: parts.append ?? [],
    watches: parts.watches ?? [],
    leases: parts.leases ?? [],
    locks: parts.locks ?? [],
    nemesis: parts.nemesis ?? [],
    terms: parts.terms ?? [],
    final: parts.final,
  };
}
