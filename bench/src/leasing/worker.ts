/** The leasing suite's worker: one cell (get or write) per process; see get-pair.ts and revoke-write.ts. */
import { runAsWorker } from "../worker-process.js";
import { measureGets } from "./get-pair.js";
import { measureWrites } from "./revoke-write.js";
import type { LeasingSpec } from "./spec.js";

runAsWorker(async (spec: LeasingSpec) => (spec.kind === "get" ? measureGets(spec) : measureWrites(spec)));
