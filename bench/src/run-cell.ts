/**
 * Worker entry: measures one cell and prints one result line.
 * Spawned by runCell() in cell.ts as `node <loader flags> run-cell.ts '<CellSpec JSON>'`.
 */
import { ERROR_MARKER, RESULT_MARKER, type CellResult, type CellSpec, type KvCellSpec } from "./cell.js";
import { clientByName } from "./clients/index.js";
import { measureKvLayer } from "./kv-layer/measure.js";
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

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error("usage: run-cell.ts '<CellSpec JSON>'");
  const spec = JSON.parse(arg) as CellSpec;
  const measure = measures[spec.kind] as ((spec: CellSpec) => Promise<CellResult>) | undefined;
  if (measure === undefined) throw new Error(`unknown cell kind "${String(spec.kind)}"`);
  const result = await measure(spec);
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

/** Reports a fatal error: the stack for humans, then one marked line for the parent's table. */
function fail(err: unknown): never {
  const message = err instanceof Error ? `${err.name === "Error" ? "" : `${err.name}: `}${err.message}` : String(err);
  process.stderr.write(`${err instanceof Error ? (err.stack ?? message) : message}\n`);
  process.stderr.write(`${ERROR_MARKER}${message.replace(/\s+/g, " ")}\n`);
  process.exit(1);
}

// A client bug that throws outside a call (e.g. in a socket callback) must still name itself.
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

process.on("beforeExit", () => {
  // The event loop emptied with main() still pending: some call never settled.
  process.stderr.write(`${ERROR_MARKER}the event loop emptied before the cell finished (a call never settled)\n`);
  process.exit(1);
});

main().then(
  // Some clients keep timers or sockets alive after close(); the result is out, so leave now.
  () => process.exit(0),
  fail,
);
