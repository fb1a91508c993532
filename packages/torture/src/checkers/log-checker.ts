import type { History } from "../history/history.js";
import { finalStates, type KeyState, type RevisionLog } from "./revision-log.js";
import { checkResult, type CheckResult, type Violation } from "./violation.js";

/**
 * Checks the log itself, since every other checker trusts it: no revision missing between its
 * first and last ("log-gap"), it reached the final read's revision ("log-behind": the collector's
 * watch stopped delivering), and replaying it to that revision gives exactly the final read
 * ("log-final-mismatch": a key, value or version that differs).
 *
 * @example
 * ```ts
 * const result = checkLog(history, log);
 * if (result.status !== "ok") console.log(result.violations);
 * ```
 */
export function checkLog(history: History, log: RevisionLog | undefined): CheckResult {
  if (log === undefined) return checkResult("log", [], ["no log collector in the history"], true);
  const violations: Violation[] = [];
  const collector = history.watches.find((w) => w.collector === true);
  if (log.holes.length > 0) {
    const shown = log.holes.slice(0, 10).join(", ");
    violations.push({
      kind: "log-gap",
      message: `the log collector's watch skipped ${log.holes.length} revision(s): ${shown}${log.holes.length > 10 ? ", ..." : ""}`,
      records: collector ? [collector.id] : [],
    });
  }
  const final = history.final;
  if (final === undefined) return checkResult("log", violations, ["no final read in the history"], true);
  if (log.last < final.revision) {
    violations.push({
      kind: "log-behind",
      message: `the log collector's watch delivered up to revision ${log.last}, the final read saw revision ${final.revision}`,
      records: collector ? [collector.id] : [],
    });
    return checkResult("log", violations);
  }
  const finals = finalStates(final);
  const keys = new Set<string>(finals.keys());
  for (const e of log.events) if (e.modRevision <= final.revision) keys.add(e.key);
  for (const key of keys) {
    const want = log.stateAt(key, final.revision) ?? null;
    const got = finals.get(key) ?? null;
    if (!sameState(want, got)) {
      violations.push({
        kind: "log-final-mismatch",
        message: `key ${key} at revision ${final.revision}: the log says ${describe(want)}, the final read ${describe(got)}`,
      });
    }
  }
  return checkResult("log", violations);
}

/**
 * Whether two key states are the same (value and every revision field).
 *
 * @example
 * ```ts
 * sameState(null, null); // true
 * ```
 */
export function sameState(a: KeyState, b: KeyState): boolean {
  if (a === null || b === null) return a === b;
  return a.value === b.value && a.modRevision === b.modRevision && a.createRevision === b.createRevision && a.version === b.version;
}

/**
 * A key state for messages.
 *
 * @example
 * ```ts
 * describe(null); // "absent"
 * ```
 */
export function describe(state: KeyState | undefined): string {
  if (state === undefined) return "unknown";
  if (state === null) return "absent";
  return `${JSON.stringify(state.value)} (mod ${state.modRevision}, create ${state.createRevision}, version ${state.version})`;
}
