/**
 * Worker entry: measures one cell and prints one result line.
 * Spawned by runCell() in cell.ts as `node <loader flags> run-cell.ts '<CellSpec JSON>'`.
 */
import type { CellResult, CellSpec, KvCellSpec } from "./cell.js";
import { clientByName } from "./clients/index.js";
import { measureKvLayer } from "./kv-layer/measure.js";
import { runAsWorker } from "./worker-process.js";
import { prepare, runPhase, workloadData } from "./workload.js";

/** kv cells: prepare the keys, warm up, then one measured phase of put/get loops. */
async function measureKv(spec: KvCellSpec): Promise<CellResult> {
  const client = await clientByName(spec.client).create(spec.url);
  try {
    const data = workloadData(spec.workload, spec.keyPrefix);
    await prepare(client, data);
    await runPhase(client, spec.workload, data, spec.warmupMs);
    const phase = await runPhase(client, spec.workload, data, spec.durationMs);
    return { ...phase, opsPerSec: (phase.ops * 1000) / phase.elapsedMs, cpuUsPerOp: phase.cpuUs / phase.ops };
  } finally {
    await client.close();
  }
}

/** One measure function per CellSpec kind. */
const measures: { readonly [K in CellSpec["kind"]]: (spec: Extract<CellSpec, { kind: K }>) => Promise<CellResult> } = {
  kv: measureKv,
  "kv-layer": measureKvLayer,
};

runAsWorker(async (spec: CellSpec): Promise<CellResult> => {
  const measure = measures[spec.kind] as ((spec: CellSpec) => Promise<CellResult>) | undefined;
  if (measure === undefined) throw new Error(`unknown cell kind "${String(spec.kind)}"`);
  return measure(spec);
});
