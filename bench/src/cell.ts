import { fileURLToPath } from "node:url";
import type { KvLayerWorkload } from "./kv-layer/workloads.js";
import type { Workload } from "./workload.js";
import { runWorkerProcess } from "./worker-process.js";

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


const WORKER = fileURLToPath(new URL("./run-cell.ts", import.meta.url));

/**
 * Measures one cell in a fresh child process (same node and loader flags as this process, so
 * tsx and the "@etcdkit/source" condition apply), so clients never share a heap, JIT state or event loop.
 * Rejects with the worker's stderr tail when it fails or overruns.
 */
export function runCell(spec: CellSpec): Promise<CellResult> {
  return runWorkerProcess<CellResult>("cell", WORKER, spec, spec.warmupMs + spec.durationMs + 60_000);
}
