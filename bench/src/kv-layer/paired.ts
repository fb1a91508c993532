/**
 * Parent side of the kv suite's paired measurement (see paired-worker.ts): `raw` and `etcdkit-kv`
 * against the real etcd in ONE process, in many short alternating windows, so that both clients
 * see the same machine (load, CPU steal, frequency) and the same JIT state. On a shared, noisy
 * machine this is the steadiest end-to-end estimate of what the @etcdkit/kv layer costs.
 */
import { seededRandom } from "@etcdkit/testing";
import { fileURLToPath } from "node:url";
import { runWorkerProcess } from "../worker-process.js";
import type { KvLayerWorkload } from "./workloads.js";

export interface PairedSpec {
  /**
   * The two clients, by kv-suite name: ["raw", "etcdkit-kv"] for the measurement, ["raw", "raw"]
   * for the A/A control that shows what the method reports when there is no difference.
   */
  readonly clients: readonly [string, string];
  readonly url: string;
  readonly workload: KvLayerWorkload;
  readonly keyPrefix: string;
  /** Warm-up of each client before the first window (from at least WARMUP_LOOPS loops). */
  readonly warmupMs: number;
  /** Number of window pairs; in each pair both clients run once, the first one alternating. */
  readonly pairs: number;
  readonly windowMs: number;
}

/** One client's share of one window pair: ops completed and process CPU spent. */
export interface WindowSample {
  readonly ops: number;
  readonly cpuUs: number;
}

export interface PairedResult {
  /** Per pair: [first client, second client] of `PairedSpec.clients`. */
  readonly samples: readonly (readonly [WindowSample, WindowSample])[];
}

const WORKER = fileURLToPath(new URL("./paired-worker.ts", import.meta.url));

/**
 * Runs one workload's paired measurement in a fresh worker process.
 *
 * @example
 * ```ts
 * const { samples } = await measurePaired({ clients: ["raw", "etcdkit-kv"], url, workload, keyPrefix: "bench/kv/paired", warmupMs: 1250, pairs: 36, windowMs: 250 });
 * ```
 */
export function measurePaired(spec: PairedSpec): Promise<PairedResult> {
  const limitMs = 2 * spec.warmupMs + 2 * spec.pairs * (spec.windowMs + 1_000) + 60_000;
  return runWorkerProcess<PairedResult>(`paired ${spec.clients.join("/")} ${spec.workload.id}`, WORKER, spec, limitMs);
}

/** CPU µs per op of one client over all windows: Σ CPU / Σ ops. */
export function cpuPerOp(samples: readonly WindowSample[]): number {
  let cpu = 0;
  let ops = 0;
  for (const s of samples) {
    cpu += s.cpuUs;
    ops += s.ops;
  }
  return cpu / ops;
}

/** The second client's CPU/op over the first's (etcdkit-kv over raw), over the given pairs. */
export function pairedRatio(samples: PairedResult["samples"]): number {
  return cpuPerOp(samples.map((p) => p[1])) / cpuPerOp(samples.map((p) => p[0]));
}

/**
 * A percentile bootstrap interval of {@link pairedRatio}: resample the pairs with replacement
 * `draws` times (deterministic PRNG) and take the (1−level)/2 and (1+level)/2 quantiles.
 *
 * @example
 * ```ts
 * const [low, high] = bootstrapRatioInterval(result.samples, 0.9);
 * ```
 */
export function bootstrapRatioInterval(samples: PairedResult["samples"], level: number, draws = 2_000): [number, number] {
  const random = seededRandom(0x5eed);
  const ratios: number[] = [];
  for (let d = 0; d < draws; d++) {
    const resampled = Array.from({ length: samples.length }, () => samples[Math.floor(random() * samples.length)]!);
    ratios.push(pairedRatio(resampled));
  }
  ratios.sort((a, b) => a - b);
  const at = (q: number): number => ratios[Math.min(ratios.length - 1, Math.max(0, Math.round(q * (ratios.length - 1))))]!;
  return [at((1 - level) / 2), at((1 + level) / 2)];
}
