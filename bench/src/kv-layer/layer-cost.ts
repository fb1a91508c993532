/**
 * Parent side of the kv suite's layer-cost measurement (see layer-cost-worker.ts): the CPU per
 * call of `raw` and `etcdkit-kv` on a fake transport, without I/O, in one fresh worker process.
 * Much less noisy than the end-to-end cells; the difference is what the @etcdkit/kv layer costs.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ERROR_MARKER, RESULT_MARKER } from "../cell.js";
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, WORKER, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-4000)));
    const limitMs = spec.ops.length * 2 * (spec.warmupMs + spec.rounds * spec.msPerRound) + 60_000;
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as LayerCostResult);
        return;
      }
      const lines = stderr.trim().split("\n");
      const marked = lines.find((l) => l.startsWith(ERROR_MARKER))?.slice(ERROR_MARKER.length);
      reject(new Error(`layer-cost worker failed (${signal === null ? `exit code ${code}` : `signal ${signal}`}): ${marked ?? (lines.slice(-6).join("\n") || "no output")}`));
    });
  });
}
