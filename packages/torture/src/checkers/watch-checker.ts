import type { History } from "../history/history.js";
import type { RevisionLog } from "./revision-log.js";
import { checkResult, type CheckResult, type Violation } from "./violation.js";
import { checkWatchAgainstLog } from "./watch-log-checks.js";
import { checkWatchOrder } from "./watch-order-checks.js";

/** Reasons a watch may legitimately end with. */
const EXPECTED_ENDS = new Set(["compacted"]);

/**
 * Checks every watch of a history: ordered, unique, atomic, bookmarkable and within its filters
 * (each watch alone), and reliable, resumable, `prevKv` and `isCreate` correct against the log.
 * A watch that ended with an error other than "compacted" is reported as "watch-ended" (a watch
 * must survive reconnects, never just stop). The log collector's own watch is checked for order
 * here and for holes by the log checker.
 *
 * @example
 * ```ts
 * const result = checkWatches(history, log);
 * ```
 */
export function checkWatches(history: History, log: RevisionLog | undefined): CheckResult {
  const violations: Violation[] = [];
  let events = 0;
  for (const watch of history.watches) {
    violations.push(...checkWatchOrder(watch));
    for (const b of watch.batches) events += b.events.length;
    if (watch.collector !== true && log !== undefined) violations.push(...checkWatchAgainstLog(watch, log));
    if (watch.end.how === "error" && !EXPECTED_ENDS.has(watch.end.error?.reason ?? "")) {
      violations.push({
        kind: "watch-ended",
        message: `watch ${watch.id} ended with ${watch.end.error?.reason}: ${watch.end.error?.message}`,
        records: [watch.id],
      });
    }
  }
  const notes = [`${history.watches.length} watches, ${events} events`];
  return checkResult("watch", violations, notes, log === undefined);
}
