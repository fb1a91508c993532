/**
 * Parent side of the kv suite's layer-cost measurement (see layer-cost-worker.ts): the CPU per
 * call of `raw` and `etcdkit-kv` on a fake transport, without I/O, in one fresh worker process.
 * Much less noisy than the end-to-end cells; the difference is what the @etcdkit/kv layer costs.
 */
import { fileURLToPath } from "node:url";
import { runWorkerProcess } from "../worker-process.js";
import type { KvLayerWorkload } from "./workloads.js";

export interface LayerCostSpec {
  readonly ops: readonly KvLayerWorkload["op"][];
  readonly valueBytes: number;
  readonly keyPrefix: string;
  /** Warm-up per (client, op) before the first round. */
  readonly warmupMs: number;
  readonly rounds: number;
  readonly msPerRound: number;
}

export interface LayerCostResult {
  /** Median CPU µs per call over the rounds, by `${op}/${client}` (client: raw, etcdkit-kv). */
  readonly cpuUsPerCall: Readonly<Record<string, number>>;
  /** By op: the median over rounds of (etcdkit-kv − raw) CPU µs per call, measured back to back. */
  readonly layerUsPerCall: Readonly<Record<string, number>>;
  readonly encodedBytes: number;
}

const WORKER = fileURLToPath(new URL("./layer-cost-worker.ts", import.meta.url));

/** Runs the layer-cost worker; rejects with its error line (or stderr tail) when it fails. */
export function measureLayerCost(spec: LayerCostSpec): Promise<LayerCostResult> {
  const limitMs = spec.ops.length * 2 * (spec.warmupMs + spec.rounds * spec.msPerRound) + 60_000;
  return runWorkerProcess<LayerCostResult>("layer-cost", WORKER, spec, limitMs);
}
