/**
 * A seeded pseudo-random generator (mulberry32) returning numbers in [0, 1): the workloads' and
 * nemeses' choices are reproducible from a run's seed (timing is not).
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const pick = items[Math.floor(random() * items.length)];
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
