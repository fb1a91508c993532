import type { BenchClient } from "./clients/types.js";
import { LatencyRecorder } from "./stats.js";

/** One benchmark workload: which call, how many concurrent loops, how big the values are. */
export interface Workload {
  /** Command-line id, e.g. "put-c64". */
  readonly id: string;
  /** Table title, e.g. "put, c=64". */
  readonly name: string;
  readonly op: "put" | "get";
  /** Number of concurrent loops, each awaiting one call at a time. */
  readonly concurrency: number;
  readonly valueBytes: number;
  /** Record per-call latency (p50/p99). Costs two performance.now() per call, so only where reported. */
  readonly latency: boolean;
}

/** What one measured phase produced. */
export interface PhaseResult {
  readonly ops: number;
  readonly elapsedMs: number;
  /** Process CPU (user + system) spent during the phase, µs. */
  readonly cpuUs: number;
  readonly p50Us?: number;
  readonly p99Us?: number;
}

/** The keys and value each loop of `workload` uses: Buffers created once, passed on every call. */
export interface WorkloadData {
  readonly keys: readonly Buffer[];
  readonly value: Buffer;
}

/** Builds one key per loop under `prefix` and one value of `workload.valueBytes` bytes. */
export function workloadData(workload: Workload, prefix: string): WorkloadData {
  const keys = Array.from({ length: workload.concurrency }, (_, i) => Buffer.from(`${prefix}/${i}`));
  const value = Buffer.alloc(workload.valueBytes, "v");
  return { keys, value };
}

/**
 * Writes every key once and checks that a get returns the value, so get workloads read real data
 * and a broken client fails before it is measured.
 */
export async function prepare(client: BenchClient, data: WorkloadData): Promise<void> {
  for (const key of data.keys) await client.put(key, data.value);
  const got = await client.get(data.keys[0]!);
  if (got === undefined || got.length !== data.value.length) {
    throw new Error(`sanity check failed: get returned ${got === undefined ? "nothing" : `${got.length} bytes`}`);
  }
}

/**
 * Runs `workload.concurrency` loops of awaited calls for `durationMs`, then waits for the calls in
 * flight. Ops, wall time and CPU cover everything from the first call to the last completion.
 */
export function runPhase(
  client: BenchClient,
  workload: Workload,
  data: WorkloadData,
  durationMs: number,
): Promise<PhaseResult> {
  const { value } = data;
  const calls = data.keys.map((key) => (workload.op === "put" ? () => client.put(key, value) : () => client.get(key)));
  return measureLoops(calls, workload.latency, durationMs);
}

/**
 * The measured loop every cell kind shares: one loop per entry of `calls`, each awaiting its call
 * again and again for `durationMs`; then waits for the calls in flight. Ops, wall time and CPU
 * cover everything from the first call to the last completion. With `latency`, each call is timed
 * (two performance.now() per call) and p50/p99 are reported.
 */
export async function measureLoops(
  calls: readonly (() => Promise<unknown>)[],
  latency: boolean,
  durationMs: number,
): Promise<PhaseResult> {
  let stop = false;
  let ops = 0;
  const recorder = latency ? new LatencyRecorder() : undefined;
  const loop = async (call: () => Promise<unknown>): Promise<void> => {
    if (recorder === undefined) {
      while (!stop) {
        await call();
        ops++;
      }
    } else {
      while (!stop) {
        const t = performance.now();
        await call();
        recorder.add((performance.now() - t) * 1000);
        ops++;
      }
    }
  };
  const timer = setTimeout(() => {
    stop = true;
  }, durationMs);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await Promise.all(calls.map(loop));
  } finally {
    clearTimeout(timer);
    stop = true;
  }
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const result: PhaseResult = { ops, elapsedMs, cpuUs: cpu.user + cpu.system };
  if (recorder === undefined) return result;
  const [p50Us, p99Us] = recorder.percentiles([50, 99]);
  return { ...result, p50Us, p99Us };
}
