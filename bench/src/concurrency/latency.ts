/** Latency samples in ms → p50 / p99 / max. */
import { percentileSorted } from "../stats.js";
import type { LatencyResult } from "./spec.js";

export function summarizeMs(samples: readonly number[]): LatencyResult {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, p50Ms: percentileSorted(sorted, 50), p99Ms: percentileSorted(sorted, 99), maxMs: sorted[sorted.length - 1] ?? Number.NaN };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
