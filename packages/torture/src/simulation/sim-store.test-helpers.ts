import type { FinalRead, RecordedBatch, RecordedEvent, WatchRecord } from "../history/types.js";

/** A key's state in the simulated store. */
export interface SimKey {
  readonly value: string;
  readonly modRevision: bigint;
  readonly createRevision: bigint;
  readonly version: number;
}

/**
 * An in-memory etcd store for tests: every change takes the next revision and lands in a log,
 * and any past state can be read back (what a lagging member would serve).
 */
export class SimStore {
  revision = 1n;
  readonly keys = new Map<string, SimKey>();
  /** Events per revision (index = revision). */
  readonly log = new Map<bigint, RecordedEvent[]>();
  private readonly history = new Map<string, { revision: bigint; state: SimKey | null }[]>();

  put(key: string, value: string): bigint {
    const rev = ++this.revision;
    const prev = this.keys.get(key);
    const next: SimKey = { value, modRevision: rev, createRevision: prev?.createRevision ?? rev, version: (prev?.version ?? 0) + 1 };
    this.keys.set(key, next);
    this.record(key, next);
    this.log.set(rev, [
      {
        type: "put",
        key,
        value,
        modRevision: rev,
        createRevision: next.createRevision,
        version: next.version,
        isCreate: prev === undefined,
        ...(prev ? { prevValue: prev.value, prevModRevision: prev.modRevision } : {}),
      },
    ]);
    return rev;
  }

  /** Puts several keys in one revision (a txn). */
  putAll(entries: readonly (readonly [string, string])[]): bigint {
    const rev = ++this.revision;
    const events: RecordedEvent[] = [];
    for (const [key, value] of entries) {
      const prev = this.keys.get(key);
      const next: SimKey = { value, modRevision: rev, createRevision: prev?.createRevision ?? rev, version: (prev?.version ?? 0) + 1 };
      this.keys.set(key, next);
      this.record(key, next);
      events.push({ type: "put", key, value, modRevision: rev, createRevision: next.createRevision, version: next.version, isCreate: prev === undefined });
    }
    this.log.set(rev, events);
    return rev;
  }

  /** Deletes a key; undefined when it did not exist (no revision taken). */
  delete(key: string): bigint | undefined {
    const prev = this.keys.get(key);
    if (prev === undefined) return undefined;
    const rev = ++this.revision;
    this.keys.delete(key);
    this.record(key, null);
    this.log.set(rev, [
      { type: "delete", key, value: "", modRevision: rev, createRevision: 0n, version: 0, isCreate: false, prevValue: prev.value, prevModRevision: prev.modRevision },
    ]);
    return rev;
  }

  /** The key at `revision` (default: now). */
  stateAt(key: string, revision = this.revision): SimKey | null {
    const versions = this.history.get(key) ?? [];
    let found: SimKey | null = null;
    for (const v of versions) if (v.revision <= revision) found = v.state;
    return found;
  }

  /** The collector's record: one batch per revision, from revision 1, on one stream. */
  collector(id = 0): WatchRecord {
    const batches: RecordedBatch[] = [];
    for (let r = 2n; r <= this.revision; r++) {
      batches.push({ at: Number(r), revision: r, progress: false, stream: 1, events: this.log.get(r) ?? [] });
    }
    return { type: "watch", id, client: -1, collector: true, request: { key: "", prefix: true, startRevision: 1n }, invoke: 0, batches, end: { at: 1e9, how: "canceled" } };
  }

  /** The final linearizable read of every key. */
  finalRead(at = 1e9): FinalRead {
    const kvs = [...this.keys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, s]) => ({ key, ...s }));
    return { type: "final", at, revision: this.revision, kvs };
  }

  private record(key: string, state: SimKey | null): void {
    let versions = this.history.get(key);
    if (versions === undefined) this.history.set(key, (versions = []));
    versions.push({ revision: this.revision, state });
  }
}
