import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createFileSink } from "../history/history-sink.js";
import { knownBugOf, knownSdkBugs } from "../scenario/known-bugs.js";
import { reportDetails, reportTable, soakLine } from "../scenario/report.js";
import { runScenario, type RunScenarioOptions, type ScenarioReport } from "../scenario/run-scenario.js";
import type { ScenarioSpec } from "../scenario/scenarios.js";
import type { ClientFactory } from "../sdk/torture-client.js";

/**
 * One scenario run of a suite: the scenario, the clients under test, and names for its report
 * and its history file.
 *
 * @example
 * ```ts
 * const run: SuiteRun = { spec: scenarioByName("pause"), label: "pause", file: "pause-grpc", factory };
 * ```
 */
export interface SuiteRun {
  readonly spec: ScenarioSpec;
  readonly label: string;
  /** The history file's name (without extension). */
  readonly file: string;
  readonly factory: ClientFactory;
  /** Clients for the final read and the log collector, when they differ from `factory`'s. */
  readonly referenceFactory?: ClientFactory;
}

/**
 * What a suite does: its runs, their total time, where the markdown report goes and the command
 * that reproduces it (named in the report).
 *
 * @example
 * ```ts
 * await runSuite({ runs, minutes: 30, out: "bench/results/torture.md", command: "pnpm torture --minutes 30" });
 * ```
 */
export interface SuiteOptions {
  readonly runs: readonly SuiteRun[];
  readonly minutes: number;
  readonly out: string;
  readonly command: string;
  /** The first run's seed; later runs take the next ones. Random when absent. */
  readonly seed?: number;
  readonly title?: string;
  /** Markdown appended to the report once every run is over (e.g. what the clients counted). */
  readonly appendix?: () => string;
}

/**
 * The outcome of a suite: every scenario's report, and whether a violation no open SDK bug
 * explains was found.
 *
 * @example
 * ```ts
 * const { unexplained } = await runSuite(options);
 * process.exit(unexplained ? 1 : 0);
 * ```
 */
export interface SuiteResult {
  readonly reports: readonly ScenarioReport[];
  readonly unexplained: boolean;
}

/**
 * Runs scenarios one after another against fresh 3-member clusters, prints a table per run and
 * writes the whole report (table, soak samples, every checker's details) to `out`. Histories
 * (JSON Lines) are kept for runs with violations or undecided checks, in a temp folder named in
 * the report.
 *
 * @example
 * ```ts
 * const runs = scenarios.map((spec) => ({ spec, label: spec.name, file: spec.name, factory }));
 * const { unexplained } = await runSuite({ runs, minutes: 5, out: "torture.md", command: "pnpm torture" });
 * ```
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const { runs } = options;
  const perScenarioMs = Math.max(10_000, Math.floor((options.minutes * 60_000) / runs.length));
  const historyDir = mkdtempSync(path.join(tmpdir(), "etcdkit-torture-"));
  const startedAt = new Date();
  const log = (message: string): void => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
  log(`${runs.length} scenario run(s), ${Math.round(perScenarioMs / 1000)} s each; histories in ${historyDir}`);

  const reports: ScenarioReport[] = [];
  const kept: string[] = [];
  for (const [n, run] of runs.entries()) {
    const file = path.join(historyDir, `${run.file}.jsonl`);
    const scenarioOptions: RunScenarioOptions = {
      durationMs: perScenarioMs,
      sink: createFileSink(file),
      log,
      factory: run.factory,
      label: run.label,
      ...(run.referenceFactory !== undefined ? { referenceFactory: run.referenceFactory } : {}),
      ...(options.seed !== undefined ? { seed: options.seed + n } : {}),
    };
    const report = await runScenario(run.spec, scenarioOptions);
    reports.push(report);
    if (Object.keys(report.violations).length > 0 || report.undecided.length > 0) kept.push(file);
    else rmSync(file, { force: true });
    console.log(reportTable([report]));
  }

  const table = reportTable(reports);
  const soak = [...reports.map((r) => `- ${r.scenario}: ${soakLine(r.samples)}`), `- whole run: ${soakLine(reports.flatMap((r) => r.samples))}`].join("\n");
  const minutes = Math.round((Date.now() - startedAt.getTime()) / 60_000);
  const markdown = [
    `# ${options.title ?? "Fault suite results"}`,
    "",
    `Run of ${startedAt.toISOString()} (\`${options.command}\`), ${minutes} min wall time; node ${process.version}; etcd from \`ETCD_BIN\` or PATH; a shared 2-core machine.`,
    "",
    table,
    "",
    "Client heap and handles, sampled every 5 s during the traffic while no fault was in place (heap after a full GC; handles without the harness's listening proxies and etcd child processes):",
    "",
    soak,
    "",
    "## Checker results",
    "",
    reportDetails(reports),
    `Open SDK bugs violations are attributed to (src/scenario/known-bugs.ts): ${knownSdkBugs.length === 0 ? "none." : ""}`,
    "",
    ...knownSdkBugs.map((bug) => `- \`${bug.id}\`: ${bug.description}`),
    "",
    kept.length > 0 ? `Histories kept: ${kept.join(", ")}` : "",
    options.appendix?.() ?? "",
  ].join("\n");
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, markdown);
  console.log(`\n${table}\n\n${soak}\n\nwritten to ${options.out}`);
  if (kept.length === 0) rmSync(historyDir, { recursive: true, force: true });
  const unexplained = reports.some((r) => r.checks.some((c) => c.violations.some((v) => knownBugOf(v) === undefined)));
  return { reports, unexplained };
}
