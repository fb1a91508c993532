/**
 * One broken guarantee found in a history: a stable `kind` (the report counts them), a message
 * a person can act on, and the IDs of the records involved.
 *
 * @example
 * ```ts
 * const v: Violation = { kind: "duplicate-write", message: "value c1-7 written at revisions 12 and 15", records: [31] };
 * ```
 */
export interface Violation {
  readonly kind: string;
  readonly message: string;
  readonly records?: readonly number[];
}

/**
 * What one checker concluded: "ok", "violation" (with the violations), or "unknown" when it could
 * not decide (a search that exceeded its bounds, a log with a hole); `notes` say why.
 *
 * @example
 * ```ts
 * const result: CheckResult = { checker: "linearizability", status: "unknown", violations: [], notes: ["key r/3: search bound of 1e6 steps reached"] };
 * ```
 */
export interface CheckResult {
  readonly checker: string;
  readonly status: "ok" | "violation" | "unknown";
  readonly violations: readonly Violation[];
  readonly notes: readonly string[];
}

/**
 * Builds a CheckResult: "violation" when there are violations, else "unknown" when `undecided`,
 * else "ok".
 *
 * @example
 * ```ts
 * return checkResult("at-most-once", violations);
 * ```
 */
export function checkResult(checker: string, violations: readonly Violation[], notes: readonly string[] = [], undecided = false): CheckResult {
  const status = violations.length > 0 ? "violation" : undecided ? "unknown" : "ok";
  return { checker, status, violations, notes };
}

/**
 * Counts violations by kind.
 *
 * @example
 * ```ts
 * countByKind(results.flatMap((r) => r.violations)); // { "watch-reliable": 2 }
 * ```
 */
export function countByKind(violations: Iterable<Violation>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of violations) counts[v.kind] = (counts[v.kind] ?? 0) + 1;
  return counts;
}
