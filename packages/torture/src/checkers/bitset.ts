/**
 * A fixed-size set of small integers with an incrementally maintained 32-bit hash (Zobrist: the
 * XOR of a fixed random number per member), so the linearizability search can memoize
 * (linearized set, state) pairs cheaply.
 *
 * @example
 * ```ts
 * const set = new HashedBitset(100);
 * set.add(3);
 * const copy = set.snapshot();
 * set.remove(3);
 * HashedBitset.equals(copy, set.words); // false
 * ```
 */
export class HashedBitset {
  readonly words: Uint32Array;
  private readonly zobrist: Uint32Array;
  private h = 0;

  constructor(size: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
    this.zobrist = new Uint32Array(size);
    let x = 0x9e3779b9;
    for (let i = 0; i < size; i++) {
      // xorshift32: deterministic, well spread
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.zobrist[i] = x >>> 0;
    }
  }

  /** The hash of the current members. */
  get hash(): number {
    return this.h;
  }

  add(i: number): void {
    const w = i >>> 5;
    const bit = 1 << (i & 31);
    if ((this.words[w]! & bit) !== 0) return;
    this.words[w]! |= bit;
    this.h = (this.h ^ this.zobrist[i]!) >>> 0;
  }

  remove(i: number): void {
    const w = i >>> 5;
    const bit = 1 << (i & 31);
    if ((this.words[w]! & bit) === 0) return;
    this.words[w]! &= ~bit;
    this.h = (this.h ^ this.zobrist[i]!) >>> 0;
  }

  /** A copy of the members' words. */
  snapshot(): Uint32Array {
    return this.words.slice();
  }

  /** Whether two word arrays hold the same members. */
  static equals(a: Uint32Array, b: Uint32Array): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
}
