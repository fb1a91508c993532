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
 * knownSdkBugs.find((bug) => bug.matches(v))?.id; // "deadline-after-send"
 * ```
 */
export const knownSdkBugs: readonly KnownBug[] = [
  {
    id: "deadline-after-send",
    description:
      'a write that was sent and then hit its deadline or signal fails with "deadline-exceeded" / "canceled" and ' +
      "outcomeUnknown false, although etcd may have applied it (src/sdk-findings.test.ts)",
    matches: (v) => (v.kind === "phantom-write" || v.kind === "aborted-read") && /failed with "(deadline-exceeded|canceled)"/.test(v.message),
  },
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
