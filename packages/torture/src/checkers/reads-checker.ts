import type { History } from "../history/history.js";
import type { KvOperation } from "../history/types.js";
import { describe } from "./log-checker.js";
import type { RevisionLog } from "./revision-log.js";
import { checkResult, type CheckResult, type Violation } from "./violation.js";

/**
 * Checks every read against the log: a read at revision R (linearizable or serializable) sees
 * exactly the writes at or below R, i.e. the log's state of the key at R ("read-mismatch").
 * Serializable reads may be stale, so they are otherwise only checked for revisions that never go
 * back per client ("serializable-non-monotonic"); each serializable client reads from one member.
 *
 * @example
 * ```ts
 * const result = checkReads(history, log);
 * ```
 */
export function checkReads(history: History, log: RevisionLog | undefined, limit = 20): CheckResult {
  const violations: Violation[] = [];
  const notes: string[] = [];
  let checked = 0;
  let skipped = 0;
  if (log !== undefined) {
    for (const op of history.kv) {
      const read = readOf(op);
      if (read === undefined) continue;
      if (!log.covers(read.revision)) {
        skipped++;
        continue;
      }
      checked++;
      const want = log.stateAt(read.key, read.revision);
      const same = want === null ? read.value === null : want !== undefined && want.value === read.value && want.modRevision === read.modRevision;
      if (!same && violations.length < limit) {
        violations.push({
          kind: "read-mismatch",
          message: `${op.input.f === "get" && op.input.serializable ? "serializable " : ""}read of ${read.key} at revision ${read.revision} returned ${
            read.value === null ? "absent" : `${JSON.stringify(read.value)} (mod ${read.modRevision})`
          }; the log has ${describe(want)}`,
          records: [op.id],
        });
      }
    }
    notes.push(`${checked} reads compared with the log${skipped > 0 ? `, ${skipped} beyond it` : ""}`);
  }
  const lastByClient = new Map<number, KvOperation>();
  for (const op of [...history.kv].sort((a, b) => a.invoke - b.invoke)) {
    if (op.input.f !== "get" || op.input.serializable !== true || op.status !== "ok" || op.output?.f !== "get") continue;
    const previous = lastByClient.get(op.client);
    if (previous !== undefined && previous.output?.f === "get" && op.output.revision < previous.output.revision) {
      violations.push({
        kind: "serializable-non-monotonic",
        message: `client ${op.client} read at revision ${op.output.revision} after reading at ${previous.output.revision}`,
        records: [previous.id, op.id],
      });
    }
    lastByClient.set(op.client, op);
  }
  return checkResult("reads", violations, notes, log === undefined);
}

function readOf(op: KvOperation): { key: string; value: string | null; modRevision: bigint; revision: bigint } | undefined {
  if (op.status !== "ok" || op.output === undefined) return undefined;
  const out = op.output;
  if (out.f === "get") return { key: op.input.key, value: out.value, modRevision: out.modRevision, revision: out.revision };
  if (out.f === "cas" && !out.succeeded) {
    return { key: op.input.key, value: out.value ?? null, modRevision: out.modRevision ?? 0n, revision: out.revision };
  }
  return undefined;
}
