import { monotonicNow } from "@etcdkit/transport";

/**
 * One sample of the client process: heap in use (after a full GC when node runs with
 * `--expose-gc`) and the libuv handles and requests keeping it alive, by type; `handles` counts
 * them without the harness's listening proxies and child processes.
 *
 * @example
 * ```ts
 * const sample: SoakSample = { at: 1000, quiet: true, heapUsed: 42_000_000, handles: 37, byType: { TCPSocketWrap: 12 } };
 * ```
 */
export interface SoakSample {
  readonly at: number;
  /** No fault was in place, and none for the last second (every member up, clients reconnected). */
  readonly quiet: boolean;
  readonly heapUsed: number;
  readonly handles: number;
  readonly byType: Readonly<Record<string, number>>;
}

/**
 * Resource types only the test harness holds in this process: its listening proxies (a replaced
 * member adds two) and the etcd child processes with their pipes. `handles` leaves them out.
 */
const HARNESS_TYPES = new Set(["TCPServerWrap", "ProcessWrap", "PipeWrap"]);

/**
 * Takes a sample now.
 *
 * @example
 * ```ts
 * const before = sampleProcess();
 * ```
 */
export function sampleProcess(quiet = true): SoakSample {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const resources = process.getActiveResourcesInfo();
  const byType: Record<string, number> = {};
  let handles = 0;
  for (const r of resources) {
    byType[r] = (byType[r] ?? 0) + 1;
    if (!HARNESS_TYPES.has(r)) handles++;
  }
  return { at: monotonicNow(), quiet, heapUsed: process.memoryUsage().heapUsed, handles, byType };
}

/**
 * Samples the process every `intervalMs` until stopped (`quiet` says whether no fault is in
 * place), and whenever `sampleNow()` is called; returns the samples.
 *
 * @example
 * ```ts
 * const soak = startSoakSampler(5000);
 * const samples = soak.stop();
 * ```
 */
export function startSoakSampler(intervalMs: number, quiet: () => boolean = () => true): { sampleNow(): void; stop(): SoakSample[] } {
  const samples: SoakSample[] = [];
  const timer = setInterval(() => samples.push(sampleProcess(quiet())), intervalMs);
  timer.unref();
  return {
    sampleNow: () => void samples.push(sampleProcess(quiet())),
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/**
 * Whether heap and handles stayed flat across the quiet samples (no fault in place: with a member
 * down, a third of the connections is gone, which says nothing about leaks): the median of the
 * last quarter against the median of the second quarter (the first is warm-up), heap within
 * `heapSlackBytes` or 20 %, handles within `handleSlack` or 25 % (the test harness's proxies live
 * in the same process and hold two sockets per client connection).
 *
 * @example
 * ```ts
 * const verdict = soakVerdict(samples);
 * if (!verdict.flat) console.log(verdict.detail);
 * ```
 */
export function soakVerdict(all: readonly SoakSample[], heapSlackBytes = 16 * 1024 * 1024, handleSlack = 16): { flat: boolean; detail: string } {
  const samples = all.filter((s) => s.quiet);
  if (samples.length < 8) return { flat: true, detail: `${samples.length} quiet samples: too few to judge` };
  const q = Math.floor(samples.length / 4);
  const early = samples.slice(q, 2 * q);
  const late = samples.slice(samples.length - q);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const heapEarly = median(early.map((s) => s.heapUsed));
  const heapLate = median(late.map((s) => s.heapUsed));
  const handlesEarly = median(early.map((s) => s.handles));
  const handlesLate = median(late.map((s) => s.handles));
  const heapFlat = heapLate - heapEarly <= Math.max(heapSlackBytes, heapEarly * 0.2);
  const handlesFlat = handlesLate - handlesEarly <= Math.max(handleSlack, handlesEarly * 0.25);
  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return {
    flat: heapFlat && handlesFlat,
    detail: `heap ${mb(heapEarly)} -> ${mb(heapLate)}, handles ${handlesEarly} -> ${handlesLate} (medians of the 2nd and last quarter of ${samples.length} quiet samples)`,
  };
}
