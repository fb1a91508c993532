import type { KvOperation } from "../history/types.js";
import type { RegisterInput } from "./register-model.js";
import type { RevisionLog } from "./revision-log.js";
import type { SearchOp } from "./wgl-search.js";

/**
 * What the log tells about writes whose outcome the client did not learn: a write whose unique
 * value is in the log happened at that revision; with a complete log, one whose value is not in
 * it never happened.
 *
 * @example
 * ```ts
 * const knowledge: LogKnowledge = { log, complete: true };
 * ```
 */
export interface LogKnowledge {
  readonly log: RevisionLog;
  /** The log has every revision up to the end of the run. */
  readonly complete: boolean;
}

/**
 * The register operations of a history as per-key search inputs. Only linearizable operations of
 * the "register" workload take part. Failed operations are left out (they had no effect), unless
 * the log shows their value was written after all (that is reported by the writes checker; here
 * the write is taken as having happened). Writes whose outcome is unknown keep return time
 * Infinity; the log pins their revision, or removes them when it is complete and does not have
 * their value.
 *
 * @example
 * ```ts
 * for (const [key, ops] of registerHistories(history.kv, knowledge)) searchLinearization(registerModel, ops, bounds);
 * ```
 */
export function registerHistories(ops: readonly KvOperation[], knowledge: LogKnowledge | undefined): Map<string, SearchOp<RegisterInput>[]> {
  const byKey = new Map<string, SearchOp<RegisterInput>[]>();
  const unexplained = knowledge === undefined ? new Map<string, bigint[]>() : unexplainedDeletes(ops, knowledge.log);
  for (const op of ops) {
    if (op.workload !== "register") continue;
    if (op.input.f === "get" && op.input.serializable === true) continue;
    const converted = toSearchOp(op, knowledge, unexplained.has(op.input.key));
    if (converted === undefined) continue;
    let list = byKey.get(op.input.key);
    if (list === undefined) byKey.set(op.input.key, (list = []));
    list.push(converted);
  }
  return byKey;
}

function loggedRevision(value: string, knowledge: LogKnowledge | undefined): bigint | undefined | null {
  if (knowledge === undefined) return undefined;
  const revisions = knowledge.log.revisionsOfValue.get(value);
  if (revisions !== undefined && revisions.length > 0) return revisions[0];
  return knowledge.complete ? null : undefined;
}

/**
 * Delete events in the log that no acknowledged delete explains, per key (a delete event carries
 * no value, so a delete whose outcome the client did not learn cannot be matched to its event).
 * Lease expiries and revokes delete keys too; callers look only at keys that have no lease.
 *
 * @example
 * ```ts
 * unexplainedDeletes(history.kv, log).get("r/0"); // [57n]: someone deleted r/0 at revision 57
 * ```
 */
export function unexplainedDeletes(ops: readonly KvOperation[], log: RevisionLog): Map<string, bigint[]> {
  const explained = new Set<string>();
  for (const op of ops) {
    if (op.status === "ok" && op.output?.f === "delete" && op.output.deleted > 0) explained.add(`${op.input.key}@${op.output.revision}`);
  }
  const out = new Map<string, bigint[]>();
  for (const e of log.events) {
    if (e.type !== "delete" || explained.has(`${e.key}@${e.modRevision}`)) continue;
    const list = out.get(e.key);
    if (list === undefined) out.set(e.key, [e.modRevision]);
    else list.push(e.modRevision);
  }
  return out;
}

/**
 * undefined: leave the operation out. A delete that failed is kept open-ended when the log shows
 * a delete of its key nobody acknowledged (the writes checker reports it as a phantom).
 */
function toSearchOp(op: KvOperation, knowledge: LogKnowledge | undefined, keyHasUnexplainedDelete = false): SearchOp<RegisterInput> | undefined {
  const base = { id: op.id, invoke: op.invoke };
  const input = op.input;
  const out = op.output;
  if (op.status === "ok" && out !== undefined) {
    if (out.f === "get") return { ...base, return: op.return, input: { f: "read", value: out.value, mod: out.modRevision, rev: out.cached === true ? undefined : out.revision } };
    if (out.f === "put" && input.f === "put") return { ...base, return: op.return, input: { f: "write", value: input.value, rev: out.revision } };
    if (out.f === "delete") {
      return out.deleted > 0
        ? { ...base, return: op.return, input: { f: "write", value: null, rev: out.revision } }
        : { ...base, return: op.return, input: { f: "read", value: null, mod: 0n, rev: out.revision } };
    }
    if (out.f === "cas" && input.f === "cas") {
      return out.succeeded
        ? { ...base, return: op.return, input: { f: "write", value: input.value, rev: out.revision, guard: { expect: input.expect } } }
        : {
            ...base,
            return: op.return,
            input: { f: "read", value: out.value ?? null, mod: out.modRevision ?? 0n, rev: out.cached === true ? undefined : out.revision, notExpect: input.expect },
          };
    }
    return undefined;
  }
  if (input.f === "get") return undefined;
  if (input.f === "delete") {
    const open = op.status === "unknown" || keyHasUnexplainedDelete;
    return open ? { ...base, return: Infinity, input: { f: "write", value: null, rev: undefined } } : undefined;
  }
  // A put or CAS that failed or whose outcome is unknown.
  const logged = loggedRevision(input.value, knowledge);
  if (logged === null) return undefined; // complete log without the value: it never happened
  if (logged === undefined && op.status === "fail") return undefined;
  const guard = input.f === "cas" ? { expect: input.expect } : undefined;
  if (logged !== undefined) return { ...base, return: Infinity, input: { f: "write", value: input.value, rev: logged, ...(guard ? { guard } : {}) } };
  return input.f === "cas"
    ? { ...base, return: Infinity, input: { f: "maybe-cas", expect: input.expect, value: input.value } }
    : { ...base, return: Infinity, input: { f: "write", value: input.value, rev: undefined } };
}
