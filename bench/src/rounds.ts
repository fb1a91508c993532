import { runCell, type CellResult, type CellSpec } from "./cell.js";
import type { ClientFactory } from "./clients/types.js";
import { fmtInt, fmtUs } from "./report.js";
import type { Workload } from "./workload.js";

/** Results of one (workload, client) cell over all rounds. */
export interface CellOutcomes {
  readonly ok: CellResult[];
  /** The round (0-based) of each entry of `ok`, to pair clients' results of the same round. */
  readonly okRounds: number[];
  /** One message per failed round. */
  readonly failed: string[];
}

/** What {@link runRounds} needs of a client: its name. */
export interface RoundClient {
  readonly name: string;
}

/** What {@link runRounds} needs of a workload: its id, its table title, whether it has latencies. */
export interface RoundWorkload {
  readonly id: string;
  readonly name: string;
  readonly latency: boolean;
}

/** What {@link runRounds} runs (the transport suite's clients and workloads by default). */
export interface RoundPlan<C extends RoundClient = ClientFactory, W extends RoundWorkload = Workload> {
  readonly clients: readonly C[];
  readonly workloads: readonly W[];
  readonly rounds: number;
  /** Builds the worker spec of one cell. */
  cell(client: C, workload: W): CellSpec;
  /** Runs before every cell (e.g. etcd compaction), outside any measurement. */
  beforeCell?(): Promise<void>;
}

/** Key of a cell in the map {@link runRounds} returns. */
export function cellKey(workloadId: string, client: string): string {
  return `${workloadId}/${client}`;
}

/** Rotates `items` left by `by`, so successive passes start with a different item. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * Runs every (workload, client) cell `rounds` times, one worker process at a time, interleaving
 * clients within each workload and rotating their order per round and workload, so slow drifts of
 * a shared machine spread over all clients. Prints one progress line per cell on stderr. A failed
 * cell is recorded and the run goes on.
 */
export async function runRounds<C extends RoundClient, W extends RoundWorkload>(
  plan: RoundPlan<C, W>,
): Promise<Map<string, CellOutcomes>> {
  const results = new Map<string, CellOutcomes>();
  for (let round = 0; round < plan.rounds; round++) {
    for (const [wi, w] of plan.workloads.entries()) {
      for (const c of rotate(plan.clients, round + wi)) {
        const key = cellKey(w.id, c.name);
        let slot = results.get(key);
        if (slot === undefined) results.set(key, (slot = { ok: [], okRounds: [], failed: [] }));
        await plan.beforeCell?.();
        const label = `[round ${round + 1}/${plan.rounds}] ${w.name.padEnd(10)} ${c.name.padEnd(12)}`;
        try {
          const r = await runCell(plan.cell(c, w));
          slot.ok.push(r);
          slot.okRounds.push(round);
          const lat = w.latency ? `  p50 ${fmtUs(r.p50Us)} µs  p99 ${fmtUs(r.p99Us)} µs` : "";
          console.error(`${label} ${fmtInt(r.opsPerSec).padStart(7)} ops/s  ${fmtUs(r.cpuUsPerOp).padStart(6)} CPU µs/op${lat}`);
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          slot.failed.push(msg);
          console.error(`${label} FAILED: ${msg}`);
        }
      }
    }
  }
  return results;
}
