/**
 * `pnpm torture [--minutes N] [--scenario all|name,name] [--client grpc|gateway|grpc,gateway] [--seed S] [--out file]`: runs the fault
 * suite's scenarios one after another against fresh 3-member clusters, prints a table per run
 * and writes it with every violation to `bench/results/torture.md`. Exits 1 when a checker found
 * a violation that no open SDK bug (scenario/known-bugs.ts) explains. Histories are kept (JSON
 * Lines) for scenarios with violations.
 *
 * @example
 * ```ts
 * // pnpm torture --minutes 30 --scenario all
 * ```
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { createFileSink } from "./history/history-sink.js";
import { knownBugOf, knownSdkBugs } from "./scenario/known-bugs.js";
import { reportDetails, reportTable, soakLine } from "./scenario/report.js";
import { runScenario, type ScenarioReport } from "./scenario/run-scenario.js";
import { scenarioByName, scenarios } from "./scenario/scenarios.js";
import { createSdkClient } from "./sdk/sdk-client.js";
import type { ClientFactory } from "./sdk/torture-client.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    scenario: { type: "string", default: "all" },
    seed: { type: "string" },
    client: { type: "string", default: "grpc" },
    out: { type: "string", default: path.resolve(import.meta.dirname, "../../../bench/results/torture.md") },
  },
});

const minutes = Number(values.minutes);
const clients = values.client.split(",").map((c) => c.trim());
for (const c of clients) if (c !== "grpc" && c !== "gateway") throw new Error(`--client must be grpc, gateway or both (grpc,gateway), got ${c}`);
if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, got ${values.minutes}`);
const chosen = values.scenario === "all" ? scenarios : values.scenario.split(",").map((name) => scenarioByName(name.trim()));
const runs = clients.flatMap((client) => chosen.map((spec) => ({ spec, client: client as "grpc" | "gateway" })));
const perScenarioMs = Math.max(10_000, Math.floor((minutes * 60_000) / runs.length));
const historyDir = mkdtempSync(path.join(tmpdir(), "etcdkit-torture-"));
const startedAt = new Date();
const log = (message: string): void => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
log(`${runs.length} scenario run(s), ${Math.round(perScenarioMs / 1000)} s each; histories in ${historyDir}`);

const reports: ScenarioReport[] = [];
const kept: string[] = [];
for (const [n, { spec, client }] of runs.entries()) {
  const label = client === "grpc" ? spec.name : `${spec.name} (${client})`;
  const file = path.join(historyDir, `${spec.name}-${client}.jsonl`);
  const seed = values.seed !== undefined ? Number(values.seed) + n : undefined;
  const factory: ClientFactory = (endpoints, o) => createSdkClient({ endpoints, ...o, transport: client });
  const report = await runScenario(spec, { durationMs: perScenarioMs, sink: createFileSink(file), log, factory, label, ...(seed !== undefined ? { seed } : {}) });
  reports.push(report);
  if (Object.keys(report.violations).length > 0 || report.undecided.length > 0) kept.push(file);
  else rmSync(file, { force: true });
  console.log(reportTable([report]));
}

const table = reportTable(reports);
const soak = [
  ...reports.map((r) => `- ${r.scenario}: ${soakLine(r.samples)}`),
  `- whole run: ${soakLine(reports.flatMap((r) => r.samples))}`,
].join("\n");
const markdown = [
  "# Fault suite results",
  "",
  `Run of ${startedAt.toISOString()} (\`pnpm torture --minutes ${values.minutes} --scenario ${values.scenario}${values.client === "grpc" ? "" : ` --client ${values.client}`}\`), ${Math.round(
    (Date.now() - startedAt.getTime()) / 60_000,
  )} min wall time; node ${process.version}; etcd from \`ETCD_BIN\` or PATH; a shared 2-core machine.`,
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
].join("\n");
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, markdown);
console.log(`\n${table}\n\n${soak}\n\nwritten to ${values.out}`);
if (kept.length === 0) rmSync(historyDir, { recursive: true, force: true });
const unexplained = reports.some((r) => r.checks.some((c) => c.violations.some((v) => knownBugOf(v) === undefined)));
process.exit(unexplained ? 1 : 0);
