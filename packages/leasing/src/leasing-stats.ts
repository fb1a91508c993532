/**
 * Counters of a leasing KV since it was created.
 *
 * @example
 * ```ts
 * const { hits, misses, cachedKeys } = lkv.stats;
 * console.log(`hit rate ${(hits / (hits + misses)).toFixed(2)}, ${cachedKeys} keys cached`);
 * ```
 */
export interface LeasingStats {
  /** Reads answered from the cache (single-key gets and read-only txns). */
  readonly hits: number;
  /** Reads answered by etcd (an acquisition's read included). */
  readonly misses: number;
  /** Keys this client took ownership of. */
  readonly acquired: number;
  /** Ownership keys of other clients this client asked to give a key up ("REVOKE"). */
  readonly revokes: number;
  /** Ownership keys this client gave up when another writer asked. */
  readonly released: number;
  /** Sessions opened (1, plus one per session lost and replaced). */
  readonly sessions: number;
  /** Keys whose value is cached right now. */
  readonly cachedKeys: number;
}

/**
 * The mutable counters behind `LeasingStats`.
 *
 * @example
 * ```ts
 * const counters = newCounters();
 * counters.hits++;
 * ```
 */
export interface LeasingCounters {
  hits: number;
  misses: number;
  acquired: number;
  revokes: number;
  released: number;
  sessions: number;
}

/**
 * Fresh counters, all 0.
 *
 * @example
 * ```ts
 * const counters = newCounters();
 * ```
 */
export function newCounters(): LeasingCounters {
  return { hits: 0, misses: 0, acquired: 0, revokes: 0, released: 0, sessions: 0 };
}
