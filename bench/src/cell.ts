import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { KvLayerWorkload } from "./kv-layer/workloads.js";
import type { Workload } from "./workload.js";

/** What every cell spec carries, whatever it measures. */
interface CellSpecBase {
  readonly client: string;
  /** etcd client URL, e.g. "http://127.0.0.1:2379". */
  readonly url: string;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Key prefix of this cell; each loop writes/reads keys under `${keyPrefix}/${loop}`. */
  readonly keyPrefix: string;
}

/**
 * Everything a worker process needs to measure one (client, workload) cell of the transport
 * suite: loops of put/get calls on a BenchClient (see workload.ts, clients/).
 */
export interface KvCellSpec extends CellSpecBase {
  readonly kind: "kv";
  readonly workload: Workload;
}

/**
 * One cell of the kv suite: loops of get / put / 4-op txn calls through raw generated-client
 * calls, the @etcdkit/kv builder layer or the etcd3 package (see kv-layer/).
 */
export interface KvLayerCellSpec extends CellSpecBase {
  readonly kind: "kv-layer";
  readonly workload: KvLayerWorkload;
}

/**
 * What a worker measures, by `kind`; each kind has a measure function in run-cell.ts. Suites that
 * are not loops of calls (watch scale, lease scale) use their own workers (scale/).
 */
export type CellSpec = KvCellSpec | KvLayerCellSpec;

/** The measured phase of one cell, as reported by its worker. */
export interface CellResult {
  readonly ops: number;
  readonly elapsedMs: number;
  readonly cpuUs: number;
  readonly opsPerSec: number;
  readonly cpuUsPerOp: number;
  readonly p50Us?: number;
  readonly p99Us?: number;
}

/** Prefix of the one stdout line that carries a worker's JSON result. */
export const RESULT_MARKER = "@@bench-cell-result ";
/** Prefix of the stderr line that carries a failed worker's error message (one line). */
export const ERROR_MARKER = "@@bench-cell-error ";

const WORKER = fileURLToPath(new URL("./run-cell.ts", import.meta.url));

/**
 * Measures one cell in a fresh child process (same node and loader flags as this process, so
 * tsx and the "source" condition apply), so clients never share a heap, JIT state or event loop.
 * Rejects with the worker's stderr tail when it fails or overruns.
 */
export function runCell(spec: CellSpec): Promise<CellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, WORKER, JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-4000)));
    const limitMs = spec.warmupMs + spec.durationMs + 60_000;
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as CellResult);
        return;
      }
      const why = signal === null ? `exit code ${code}` : `signal ${signal}`;
      const lines = stderr.trim().split("\n");
      const marked = lines.find((l) => l.startsWith(ERROR_MARKER))?.slice(ERROR_MARKER.length);
      const detail = marked ?? (lines.slice(-6).join("\n") || "no output");
      reject(new Error(`worker failed (${why}): ${detail}`));
    });
  });
}
