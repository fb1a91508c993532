/**
 * Worker entry of the scale suites: measures one ScaleSpec and prints one result line.
 * Spawned by runScaleCell() as `node <loader flags> --expose-gc scale-worker.ts '<ScaleSpec JSON>'`.
 */
import { ERROR_MARKER, RESULT_MARKER } from "../cell.js";
import { measureLeaseScale } from "./lease-scale-measure.js";
import type { ScaleSpec } from "./scale-cell.js";
import { measureWatchScale } from "./watch-scale-measure.js";

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error("usage: scale-worker.ts '<ScaleSpec JSON>'");
  const spec = JSON.parse(arg) as ScaleSpec;
  const result = spec.kind === "watch-scale" ? await measureWatchScale(spec) : await measureLeaseScale(spec);
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

function fail(err: unknown): never {
  const message = err instanceof Error ? `${err.name === "Error" ? "" : `${err.name}: `}${err.message}` : String(err);
  process.stderr.write(`${err instanceof Error ? (err.stack ?? message) : message}\n`);
  process.stderr.write(`${ERROR_MARKER}${message.replace(/\s+/g, " ")}\n`);
  process.exit(1);
}

process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

main().then(() => process.exit(0), fail);
