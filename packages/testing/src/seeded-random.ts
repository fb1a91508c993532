/**
 * A seeded pseudo-random generator (mulberry32) returning numbers in [0, 1): the same seed gives
 * the same sequence, so a test's or a run's random choices are reproducible from its seed.
 *
 * @example
 * ```ts
 * import { seededRandom } from "@etcdkit/testing";
 * const random = seededRandom(42);
 * const pick = ["a", "b", "c"][Math.floor(random() * 3)];
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
