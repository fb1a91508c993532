/**
 * `@etcdkit/torture` (private): etcdkit's Jepsen-style fault suite. Records every operation of
 * real traffic against a 3-member etcd under faults, then checks the whole history:
 * linearizability (a porcupine-style search per key with etcd's revision model), writes at most
 * once and none lost, watch guarantees, lease deadlines and Elle-style list-append transactions.
 *
 * @example
 * ```ts
 * import { runScenario, scenarioByName } from "@etcdkit/torture";
 *
 * const report = await runScenario(scenarioByName("crash"), { durationMs: 15_000 });
 * console.log(report.violations); // {} when every checker passed
 * ```
 */
export type * from "./history/types.js";
export { groupHistory, makeHistory, type History } from "./history/history.js";
export { createRecorder, type Recorder, type RecorderStats } from "./history/recorder.js";
export { createFileSink, createMemorySink, readHistoryFile, type HistorySink } from "./history/history-sink.js";
export { failureStatus, recordedError } from "./history/error-outcome.js";
export { checkHistory, type CheckHistoryOptions, type HistoryCheck } from "./checkers/check-history.js";
export { checkLinearizability, type LinearizabilityOptions } from "./checkers/linearizability-checker.js";
export { searchLinearization, type SearchModel, type SearchOp, type SearchOutcome } from "./checkers/wgl-search.js";
export { registerModel, type RegisterInput, type RegisterState } from "./checkers/register-model.js";
export { checkWatches } from "./checkers/watch-checker.js";
export { checkLeases, type LeaseCheckOptions } from "./checkers/lease-checker.js";
export { checkWrites } from "./checkers/writes-checker.js";
export { checkReads } from "./checkers/reads-checker.js";
export { checkAppends } from "./checkers/append-checker.js";
export { checkLog } from "./checkers/log-checker.js";
export { buildRevisionLog, type KeyState, type RevisionLog } from "./checkers/revision-log.js";
export { checkResult, countByKind, type CheckResult, type Violation } from "./checkers/violation.js";
export type { ClientFactory, ClientFactoryOptions, TortureClient, TortureLease, TortureWatch } from "./sdk/torture-client.js";
export { createSdkClient, type SdkClientOptions } from "./sdk/sdk-client.js";
export { runScenario, type RunScenarioOptions, type ScenarioReport } from "./scenario/run-scenario.js";
export { boundedScenarios, scenarioByName, scenarios, type ScenarioSpec, type WorkloadMix } from "./scenario/scenarios.js";
export { reportTable } from "./scenario/report.js";
export { runSuite, type SuiteOptions, type SuiteResult, type SuiteRun } from "./suite/run-suite.js";
export { knownBugOf, knownSdkBugs, type KnownBug } from "./scenario/known-bugs.js";
