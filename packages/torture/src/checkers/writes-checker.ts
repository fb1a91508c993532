import type { History } from "../history/history.js";
import type { KvOperation } from "../history/types.js";
import { unexplainedDeletes } from "./register-histories.js";
import type { RevisionLog } from "./revision-log.js";
import { checkResult, type CheckResult, type Violation } from "./violation.js";

/**
 * The value a KV operation writes, if it writes one (a put's or a CAS's).
 *
 * @example
 * ```ts
 * writtenValue(op); // "c3-17"
 * ```
 */
export function writtenValue(op: KvOperation): string | undefined {
  return op.input.f === "put" || op.input.f === "cas" ? op.input.value : undefined;
}

/**
 * The revision at which an acknowledged write says it applied its value (undefined: it wrote
 * nothing, or its outcome is not known).
 *
 * @example
 * ```ts
 * acknowledgedRevision(op); // 42n for a put acknowledged at revision 42
 * ```
 */
export function acknowledgedRevision(op: KvOperation): bigint | undefined {
  if (op.status !== "ok" || op.output === undefined) return undefined;
  if (op.output.f === "put") return op.output.revision;
  if (op.output.f === "cas" && op.output.succeeded) return op.output.revision;
  return undefined;
}

/**
 * Checks what writes did, against the log and every read: every write is applied at most once
 * ("duplicate-write": one unique value at two revisions, in the log, a read or a watch event), no
 * acknowledged write is lost ("lost-write": not in the log at the revision etcd acknowledged), a
 * write that failed with a definite error was not applied ("phantom-write"), and no two writes
 * were acknowledged with the same revision ("duplicate-revision"). Notes say how the writes
 * whose outcome was unknown turned out.
 *
 * @example
 * ```ts
 * const result = checkWrites(history, log);
 * ```
 */
export function checkWrites(history: History, log: RevisionLog | undefined): CheckResult {
  const violations: Violation[] = [];
  const notes: string[] = [];
  const seen = new Map<string, Set<bigint>>();
  const note = (value: string, revision: bigint): void => {
    let set = seen.get(value);
    if (set === undefined) seen.set(value, (set = new Set()));
    set.add(revision);
  };
  if (log !== undefined) for (const [value, revisions] of log.revisionsOfValue) for (const r of revisions) note(value, r);
  for (const op of history.kv) {
    if (op.status === "ok" && op.output?.f === "get" && op.output.value !== null) note(op.output.value, op.output.modRevision);
    if (op.status === "ok" && op.output?.f === "cas" && !op.output.succeeded && op.output.value != null) {
      note(op.output.value, op.output.modRevision ?? 0n);
    }
  }
  for (const w of history.watches) for (const b of w.batches) for (const e of b.events) if (e.type === "put") note(e.value, e.modRevision);

  const writers = new Map<string, KvOperation | undefined>();
  for (const op of history.kv) {
    const value = writtenValue(op);
    if (value !== undefined) writers.set(value, op);
  }
  // Only values the workloads wrote are unique by construction (the SDK's own writes, e.g. lock
  // keys, are not recorded and may repeat a value).
  for (const l of history.locks) for (const w of l.writes) writers.set(w.value, undefined);
  for (const [value, revisions] of seen) {
    if (revisions.size > 1 && writers.has(value)) {
      const op = writers.get(value);
      violations.push({
        kind: "duplicate-write",
        message: `value ${value} was written at ${revisions.size} revisions (${[...revisions].sort(cmp).join(", ")}): the write was applied more than once`,
        records: op ? [op.id] : [],
      });
    }
  }

  const byRevision = new Map<bigint, KvOperation>();
  let unknownApplied = 0;
  let unknownNotApplied = 0;
  let unknownUndecided = 0;
  for (const op of history.kv) {
    const value = writtenValue(op);
    if (value === undefined && op.input.f !== "delete") continue;
    const revision = acknowledgedRevision(op);
    if (revision !== undefined) {
      const other = byRevision.get(revision);
      if (other !== undefined) {
        violations.push({
          kind: "duplicate-revision",
          message: `two writes were acknowledged at revision ${revision}`,
          records: [other.id, op.id],
        });
      } else byRevision.set(revision, op);
    }
    if (value === undefined) continue;
    const observed = seen.get(value);
    if (revision !== undefined && log !== undefined && log.covers(revision)) {
      const inLog = log.revisionsOfValue.get(value);
      if (inLog === undefined || !inLog.includes(revision)) {
        violations.push({
          kind: "lost-write",
          message: `${op.input.f} of ${value} to ${op.input.key} was acknowledged at revision ${revision} but the log ${
            inLog ? `has it at ${inLog.join(", ")}` : "never shows it"
          }`,
          records: [op.id],
        });
      }
    }
    const refused = op.status === "fail" || (op.status === "ok" && op.output?.f === "cas" && !op.output.succeeded);
    if (refused && observed !== undefined) {
      violations.push({
        kind: "phantom-write",
        message: `${op.input.f} of ${value} to ${op.input.key} ${
          op.status === "fail" ? `failed with "${op.error?.reason}"` : "found its guard false"
        } (not applied, says the client) but was applied at revision ${[...observed].join(", ")}`,
        records: [op.id],
      });
    }
    if (op.status === "unknown") {
      if (observed !== undefined) unknownApplied++;
      else if (log !== undefined && log.holes.length === 0 && log.last > 0n) unknownNotApplied++;
      else unknownUndecided++;
    }
  }
  if (log !== undefined) violations.push(...checkDeletes(history, log));
  if (unknownApplied + unknownNotApplied + unknownUndecided > 0) {
    notes.push(`writes with unknown outcome: ${unknownApplied} applied, ${unknownNotApplied} not applied, ${unknownUndecided} undecided`);
  }
  return checkResult("writes", violations, notes);
}

/**
 * Delete events of register keys that no acknowledged delete explains: a delete reported
 * failed ("phantom-write") or nobody's ("unexplained-delete") — unless a delete whose outcome is
 * unknown can account for it.
 */
function checkDeletes(history: History, log: RevisionLog): Violation[] {
  const violations: Violation[] = [];
  // Keys the register workload writes: nothing but its own deletes removes them (no leases).
  const registerKeys = new Set(history.kv.filter((op) => op.workload === "register").map((op) => op.input.key));
  for (const [key, revisions] of unexplainedDeletes(history.kv, log)) {
    if (!registerKeys.has(key)) continue;
    const deletes = history.kv.filter((op) => op.input.f === "delete" && op.input.key === key);
    const unknown = deletes.filter((op) => op.status === "unknown").length;
    if (revisions.length <= unknown) continue;
    const failed = deletes.filter((op) => op.status === "fail");
    violations.push(
      failed.length > 0
        ? {
            kind: "phantom-write",
            message: `delete of ${key} failed with "${failed[0]!.error?.reason}" (not applied, says the client) but ${key} was deleted at revision ${revisions.join(", ")} and no acknowledged delete explains it`,
            records: failed.map((op) => op.id),
          }
        : { kind: "unexplained-delete", message: `${key} was deleted at revision ${revisions.join(", ")}, by no delete any client made`, records: [] },
    );
  }
  return violations;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
