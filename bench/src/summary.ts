import type { CellResult } from "./cell.js";
import { median } from "./stats.js";

/** Median of each metric over the successful rounds of one (client, workload) cell. */
export interface Summary {
  readonly rounds: number;
  readonly failures: string[];
  readonly opsPerSec?: number;
  readonly cpuUsPerOp?: number;
  readonly p50Us?: number;
  readonly p99Us?: number;
  /** Lowest and highest ops/s over the rounds, to show how noisy the run was. */
  readonly opsRange?: readonly [number, number];
}

/** Summarizes the successful rounds of one cell (medians per metric) and keeps its failures. */
export function summarize(results: readonly CellResult[], failures: string[]): Summary {
  if (results.length === 0) return { rounds: 0, failures };
  const med = (pick: (r: CellResult) => number | undefined): number | undefined => {
    const values = results.map(pick).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : median(values);
  };
  return {
    rounds: results.length,
    failures,
    opsPerSec: med((r) => r.opsPerSec),
    cpuUsPerOp: med((r) => r.cpuUsPerOp),
    p50Us: med((r) => r.p50Us),
    p99Us: med((r) => r.p99Us),
    opsRange: [Math.min(...results.map((r) => r.opsPerSec)), Math.max(...results.map((r) => r.opsPerSec))],
  };
}
