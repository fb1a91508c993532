/**
 * Worker entry of the concurrency suite: measures one ConcurrencySpec and prints one result line.
 * Spawned by the suite as `node <loader flags> worker.ts '<ConcurrencySpec JSON>'`.
 */
import { runAsWorker } from "../worker-process.js";
import { measureCrashFailover, measureResignFailover } from "./failover.js";
import { measureHandoff, measureWatchLatency } from "./handoff.js";
import type { ConcurrencySpec } from "./spec.js";
import { measureUncontended } from "./uncontended.js";

runAsWorker(async (spec: ConcurrencySpec): Promise<unknown> => {
  switch (spec.kind) {
    case "uncontended":
      return measureUncontended(spec);
    case "handoff":
      return measureHandoff(spec);
    case "watch-latency":
      return measureWatchLatency(spec);
    case "failover-resign":
      return measureResignFailover(spec);
    case "failover-crash":
      return measureCrashFailover(spec);
  }
});
