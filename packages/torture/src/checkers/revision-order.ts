import type { AppendOperation, KvOperation } from "../history/types.js";
import type { LogKnowledge } from "./register-histories.js";
import type { Violation } from "./violation.js";

/**
 * One operation placed in etcd's revision order: a write at the revision it created, a read at
 * the revision it read.
 *
 * @example
 * ```ts
 * const point: RevisionPoint = { id: 4, invoke: 10, return: 12, revision: 30n, write: true };
 * ```
 */
export interface RevisionPoint {
  readonly id: number;
  readonly invoke: number;
  readonly return: number;
  readonly revision: bigint;
  readonly write: boolean;
}

/**
 * The linearizable operations of a history (every workload; serializable reads excluded) as
 * revision points. Writes whose outcome was unknown take part with the revision the log shows
 * for their value (and return time Infinity).
 *
 * @example
 * ```ts
 * const points = revisionPoints(history.kv, history.append, knowledge);
 * ```
 */
export function revisionPoints(kv: readonly KvOperation[], append: readonly AppendOperation[], knowledge: LogKnowledge | undefined): RevisionPoint[] {
  const points: RevisionPoint[] = [];
  for (const op of kv) {
    const input = op.input;
    if (input.f === "get" && input.serializable === true) continue;
    if ((op.output?.f === "get" || op.output?.f === "cas") && op.output.cached === true) continue; // a cached read's revision is only a lower bound
    const out = op.output;
    if (op.status === "ok" && out !== undefined) {
      const write =
        (out.f === "put") || (out.f === "cas" && out.succeeded) || (out.f === "delete" && out.deleted > 0);
      points.push({ id: op.id, invoke: op.invoke, return: op.return, revision: out.revision, write });
    } else if (op.status === "unknown" && knowledge !== undefined && (input.f === "put" || input.f === "cas")) {
      const revision = knowledge.log.revisionsOfValue.get(input.value)?.[0];
      if (revision !== undefined) points.push({ id: op.id, invoke: op.invoke, return: Infinity, revision, write: true });
    }
  }
  for (const txn of append) {
    if (txn.status !== "ok" || txn.revision === undefined) continue;
    points.push({ id: txn.id, invoke: txn.invoke, return: txn.return, revision: txn.revision, write: txn.mops.some((m) => m.f === "append") });
  }
  return points;
}

/**
 * etcd's revision order must agree with real time: when an operation returned before another was
 * invoked, the later one reads at a revision at least as high, and writes at a strictly higher
 * one. A read from a member that is behind, a write acknowledged before it was applied, or a
 * revision handed out twice breaks this ("revision-order"). O(n log n), across all keys.
 *
 * @example
 * ```ts
 * const violations = checkRevisionOrder(points);
 * ```
 */
export function checkRevisionOrder(points: readonly RevisionPoint[], limit = 20): Violation[] {
  const byInvoke = [...points].sort((a, b) => a.invoke - b.invoke);
  const byReturn = points.filter((p) => Number.isFinite(p.return)).sort((a, b) => a.return - b.return);
  const violations: Violation[] = [];
  let k = 0;
  let max: RevisionPoint | undefined;
  for (const b of byInvoke) {
    while (k < byReturn.length && byReturn[k]!.return < b.invoke) {
      const a = byReturn[k++]!;
      if (max === undefined || a.revision > max.revision) max = a;
    }
    if (max === undefined || max.id === b.id) continue;
    const broken = b.write ? b.revision <= max.revision : b.revision < max.revision;
    if (broken && violations.length < limit) {
      violations.push({
        kind: "revision-order",
        message: `operation ${b.id} (${b.write ? "write" : "read"} at revision ${b.revision}) was invoked after operation ${max.id} had returned with revision ${max.revision}`,
        records: [max.id, b.id],
      });
    }
  }
  return violations;
}
