/** Median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Nearest-rank percentile `p` (0–100) of an ascending-sorted array; NaN when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/**
 * Collects per-call latencies (µs) in a growable Float64Array, so recording costs no allocation
 * per call.
 *
 * @example
 * ```ts
 * const rec = new LatencyRecorder();
 * const t = performance.now(); await call(); rec.add((performance.now() - t) * 1000);
 * rec.percentiles([50, 99]); // [p50, p99]
 * ```
 */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 14);
  private count = 0;

  /** Records one latency in µs. */
  add(us: number): void {
    if (this.count === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count++] = us;
  }

  /** Number of recorded samples. */
  get size(): number {
    return this.count;
  }

  /** Nearest-rank percentiles of everything recorded so far, in the order asked. */
  percentiles(ps: readonly number[]): number[] {
    const sorted = this.samples.slice(0, this.count).sort();
    return ps.map((p) => percentileSorted(sorted, p));
  }
}
