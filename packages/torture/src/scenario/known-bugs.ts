import type { Violation } from "../checkers/violation.js";

/**
 * An open SDK bug the suite keeps finding: how to recognise its violations, and where it is
 * reproduced. Reports count these separately; the bounded run tolerates them. Remove an entry
 * (and its `it.fails` reproduction) when the fix lands.
 *
 * @example
 * ```ts
 * const open = violations.filter((v) => !knownSdkBugs.some((bug) => bug.matches(v)));
 * ```
 */
export interface KnownBug {
  readonly id: string;
  readonly description: string;
  matches(violation: Violation): boolean;
}

/**
 * The open SDK bugs.
 *
 * @example
 * ```ts
 * knownSdkBugs.find((bug) => bug.matches(v))?.id; // the open bug that explains v, if any
 * ```
 */
export const knownSdkBugs: readonly KnownBug[] = [
  // Fixed: writes that hit their deadline or signal after being sent reported outcomeUnknown
  // false; a watch created while its stream was cut off ended with invalid-auth-token when the
  // stream's token had expired meanwhile (reproductions kept in sdk-findings.test.ts).
];

/**
 * The known bug a violation belongs to, if any.
 *
 * @example
 * ```ts
 * if (knownBugOf(v) === undefined) throw new Error(v.message);
 * ```
 */
export function knownBugOf(violation: Violation): KnownBug | undefined {
  return knownSdkBugs.find((bug) => bug.matches(violation));
}
