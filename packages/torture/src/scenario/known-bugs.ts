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
 * knownSdkBugs.find((bug) => bug.matches(v))?.id; // "watch-token-expired"
 * ```
 */
export const knownSdkBugs: readonly KnownBug[] = [
  {
    id: "watch-token-expired",
    description:
      "a watch created while the watch stream cannot reach etcd is refused with \"invalid auth token\" once it can " +
      "(the stream's token expired meanwhile); the watcher ends its watches with invalid-auth-token instead of " +
      "re-opening the stream with a fresh token, and every later watch fails the same way " +
      "(src/sdk-findings.test.ts)",
    matches: (v) => v.kind === "watch-ended" && / ended with invalid-auth-token:/.test(v.message),
  },
  // Fixed: writes that hit their deadline or signal after being sent reported outcomeUnknown
  // false (reproductions kept in sdk-findings.test.ts).
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
