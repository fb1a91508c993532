/** Worker side of a kv-suite cell: connect, write the keys, check the calls, warm up, measure. */
import type { CellResult, KvLayerCellSpec } from "../cell.js";
import { measureLoops } from "../workload.js";
import { kvLayerClientByName, type KvLayerClient } from "./clients.js";
import { loopKeys, WARMUP_LOOPS, type KvLayerWorkload } from "./workloads.js";

/**
 * The call each loop repeats, one per loop.
 *
 * @example
 * ```ts
 * await measureLoops(loopCalls(client, workload, "bench/kv/x", value), false, 1000);
 * ```
 */
export function loopCalls(client: KvLayerClient, workload: KvLayerWorkload, prefix: string, value: Uint8Array): (() => Promise<unknown>)[] {
  return Array.from({ length: workload.concurrency }, (_, i) => {
    const keys = loopKeys(prefix, i);
    switch (workload.op) {
      case "put":
        return client.put(keys, value);
      case "get":
        return client.get(keys);
      case "txn4":
        return client.txn4(keys, value);
    }
  });
}

/**
 * Writes every loop's key once (so get reads real data and txn4's guard holds) and checks that
 * the client reads the value back and that its txn4 takes the success branch, so a broken client
 * fails before it is measured.
 *
 * @example
 * ```ts
 * await prepare(client, workload, "bench/kv/x", value);
 * ```
 */
export async function prepare(client: KvLayerClient, workload: KvLayerWorkload, prefix: string, value: Uint8Array): Promise<void> {
  for (let i = 0; i < workload.concurrency; i++) await client.put(loopKeys(prefix, i), value)();
  const got = await client.get(loopKeys(prefix, 0))();
  if (got === undefined || got.length !== value.length) {
    throw new Error(`sanity check failed: get returned ${got === undefined ? "nothing" : `${got.length} bytes`}`);
  }
  if (workload.op === "txn4" && !(await client.txn4(loopKeys(prefix, 0), value)())) {
    throw new Error("sanity check failed: txn4 did not take its success branch");
  }
}

/** kv-layer cells: prepare the keys, warm up, then one measured phase of get / put / txn4 loops. */
export async function measureKvLayer(spec: KvLayerCellSpec): Promise<CellResult> {
  const client = kvLayerClientByName(spec.client).create(spec.url);
  try {
    const { workload } = spec;
    const value = Buffer.alloc(workload.valueBytes, "v");
    await prepare(client, workload, spec.keyPrefix, value);
    const calls = loopCalls(client, workload, spec.keyPrefix, value);
    // Warm up with at least WARMUP_LOOPS loops (repeating the cell's calls), then measure its own.
    const warmCalls = Array.from({ length: Math.max(WARMUP_LOOPS, calls.length) }, (_, i) => calls[i % calls.length]!);
    await measureLoops(warmCalls, workload.latency, spec.warmupMs);
    const phase = await measureLoops(calls, workload.latency, spec.durationMs);
    return { ...phase, opsPerSec: (phase.ops * 1000) / phase.elapsedMs, cpuUsPerOp: phase.cpuUs / phase.ops };
  } finally {
    await client.close();
  }
}
