import type { History } from "../history/history.js";
import { registerHistories, type LogKnowledge } from "./register-histories.js";
import { registerModel } from "./register-model.js";
import { checkRevisionOrder, revisionPoints } from "./revision-order.js";
import { checkResult, type CheckResult, type Violation } from "./violation.js";
import { searchLinearization } from "./wgl-search.js";

/**
 * Bounds of the linearizability search.
 *
 * @example
 * ```ts
 * checkLinearizability(history, knowledge, { maxStepsPerKey: 200_000 });
 * ```
 */
export interface LinearizabilityOptions {
  /** Search steps per key before the key's result is "unknown" (default 2,000,000). */
  readonly maxStepsPerKey?: number;
}

/**
 * Checks that the register workload's operations are linearizable, key by key (linearizability
 * is compositional, so each key's history is searched alone, as porcupine partitions), with
 * etcd's revision model in the state (writes take increasing revisions, a read at R sees the
 * writes at or below R); and, across all keys and workloads, that revision order agrees with
 * real time. Writes with unknown outcome are open-ended (return time Infinity) unless the log
 * settles them. A key whose search exceeds its bound is reported "unknown", never "ok".
 *
 * Violations: "linearizability" (a key's history has no linearization; the message names the
 * longest linearizable prefix and the operations that could not follow it), "revision-order".
 *
 * @example
 * ```ts
 * const result = checkLinearizability(history, { log, complete: true });
 * ```
 */
export function checkLinearizability(history: History, knowledge: LogKnowledge | undefined, options: LinearizabilityOptions = {}): CheckResult {
  const maxSteps = options.maxStepsPerKey ?? 2_000_000;
  const violations: Violation[] = [];
  const notes: string[] = [];
  let undecided = false;
  let operations = 0;
  let steps = 0;
  const byKey = registerHistories(history.kv, knowledge);
  for (const [key, ops] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    operations += ops.length;
    const outcome = searchLinearization(registerModel, ops, { maxSteps });
    steps += outcome.steps;
    if (outcome.result === "unknown") {
      undecided = true;
      notes.push(`key ${key}: search stopped after ${maxSteps} steps (${ops.length} operations): unknown`);
    } else if (outcome.result === "illegal") {
      const prefix = outcome.longest.length;
      violations.push({
        kind: "linearizability",
        message: `key ${key}: no linearization of its ${ops.length} operations; the longest linearizable prefix has ${prefix}, after which none of operations ${outcome.stuck.join(", ")} can take effect`,
        records: [...outcome.longest.slice(-3), ...outcome.stuck],
      });
    }
  }
  notes.push(`${byKey.size} keys, ${operations} operations, ${steps} search steps`);
  violations.push(...checkRevisionOrder(revisionPoints(history.kv, history.append, knowledge)));
  return checkResult("linearizability", violations, notes, undecided);
}
