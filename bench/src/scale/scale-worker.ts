/**
 * Worker entry of the scale suites: measures one ScaleSpec and prints one result line.
 * Spawned by runScaleCell() as `node <loader flags> --expose-gc scale-worker.ts '<ScaleSpec JSON>'`.
 */
import { runAsWorker } from "../worker-process.js";
import { measureLeaseScale } from "./lease-scale-measure.js";
import type { ScaleSpec } from "./scale-cell.js";
import { measureWatchScale } from "./watch-scale-measure.js";

runAsWorker(async (spec: ScaleSpec): Promise<unknown> => (spec.kind === "watch-scale" ? measureWatchScale(spec) : measureLeaseScale(spec)));
