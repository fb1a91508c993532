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

/**
 * A checker's violations, with a cap per kind so that one broken guarantee does not flood the
 * report: `add` keeps a violation unless `cap` (default: the list's `capPerKind`, unbounded when
 * not given) of its kind are listed already.
 *
 * @example
 * ```ts
 * const found = createViolationList(3);
 * found.add({ kind: "watch-ordered", message: "revision 7 delivered after 9" });
 * return checkResult("watch", found.items);
 * ```
 */
export interface ViolationList {
  /** The violations kept, in the order they were added. */
  readonly items: Violation[];
  /** Adds `violation` unless `cap` of its kind are kept already; returns whether it was kept. */
  add(violation: Violation, cap?: number): boolean;
}

/**
 * Creates a ViolationList whose kinds are capped at `capPerKind` unless `add` says otherwise.
 *
 * @example
 * ```ts
 * const found = createViolationList();
 * found.add({ kind: "token-order", message: "token 5 was granted after token 6 had been" }, 5);
 * ```
 */
export function createViolationList(capPerKind = Infinity): ViolationList {
  const items: Violation[] = [];
  const counts = new Map<string, number>();
  return {
    items,
    add(violation, cap = capPerKind) {
      const count = counts.get(violation.kind) ?? 0;
      if (count >= cap) return false;
      counts.set(violation.kind, count + 1);
      items.push(violation);
      return true;
    },
  };
}
