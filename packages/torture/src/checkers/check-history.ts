import type { History } from "../history/history.js";
import { checkAppends } from "./append-checker.js";
import { checkLeases, type LeaseCheckOptions } from "./lease-checker.js";
import { checkLinearizability, type LinearizabilityOptions } from "./linearizability-checker.js";
import { checkLocks } from "./lock-checker.js";
import { checkLog } from "./log-checker.js";
import { checkReads } from "./reads-checker.js";
import type { LogKnowledge } from "./register-histories.js";
import { buildRevisionLog, type RevisionLog } from "./revision-log.js";
import type { CheckResult } from "./violation.js";
import { checkWatches } from "./watch-checker.js";
import { checkWrites } from "./writes-checker.js";

/**
 * Options of checkHistory.
 *
 * @example
 * ```ts
 * checkHistory(history, { linearizability: { maxStepsPerKey: 100_000 }, lease: { slackMs: 1500 } });
 * ```
 */
export interface CheckHistoryOptions {
  readonly linearizability?: LinearizabilityOptions;
  readonly lease?: LeaseCheckOptions;
}

/**
 * Every checker's result for one history, and the log they were checked against.
 *
 * @example
 * ```ts
 * const { results } = checkHistory(history);
 * const broken = results.filter((r) => r.status === "violation");
 * ```
 */
export interface HistoryCheck {
  readonly log: RevisionLog | undefined;
  readonly results: readonly CheckResult[];
}

/**
 * Runs every checker on a history: the log (ground truth from the collector watch and the final
 * read), writes (at most once, none lost, none phantom), linearizability (per-key search plus
 * revision order), reads against the log, watches, leases, list-append transactions and lock
 * fencing.
 *
 * @example
 * ```ts
 * const { results } = checkHistory(groupHistory(await sink.load()));
 * ```
 */
export function checkHistory(history: History, options: CheckHistoryOptions = {}): HistoryCheck {
  const collector = history.watches.find((w) => w.collector === true);
  const log = collector === undefined ? undefined : buildRevisionLog(collector);
  const complete =
    log !== undefined && log.holes.length === 0 && history.final !== undefined && log.last >= history.final.revision;
  const knowledge: LogKnowledge | undefined = log === undefined ? undefined : { log, complete };
  const results = [
    checkLog(history, log),
    checkWrites(history, log),
    checkLinearizability(history, knowledge, options.linearizability),
    checkReads(history, log),
    checkWatches(history, log),
    checkLeases(history, options.lease),
    checkAppends(history),
    checkLocks(history, log),
  ];
  return { log, results };
}
