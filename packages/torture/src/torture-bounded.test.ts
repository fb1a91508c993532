import { describe, expect, it } from "vitest";
import { knownBugOf } from "./scenario/known-bugs.js";
import { formatCounts } from "./scenario/report.js";
import { runScenario, type ScenarioReport } from "./scenario/run-scenario.js";
import { boundedScenarios, scenarioByName, type ScenarioSpec } from "./scenario/scenarios.js";
import { createSdkClient } from "./sdk/sdk-client.js";
import type { ClientFactory } from "./sdk/torture-client.js";
import { brokenClientFactory } from "./simulation/broken-client.test-helpers.js";

const DURATION_MS = 15_000;

/** Every violation with its message, so a failure says what broke. */
function violationsOf(report: ScenarioReport): string[] {
  // Violations of an open SDK bug (scenario/known-bugs.ts, reproduced in sdk-findings.test.ts)
  // are listed but do not fail the run; the allowance goes with the fix.
  const known = report.checks.flatMap((c) => c.violations.filter((v) => knownBugOf(v) !== undefined));
  if (known.length > 0) console.warn(`${report.scenario}: ${known.length} violation(s) of an open SDK bug:\n${known.map((v) => v.message).join("\n")}`);
  return report.checks.flatMap((c) => c.violations.filter((v) => knownBugOf(v) === undefined).map((v) => `${c.checker} ${v.kind}: ${v.message}`));
}

describe("fault suite: bounded run against a real 3-member cluster", () => {
  for (const name of boundedScenarios) {
    it(`${name}: every checker passes under ${scenarioByName(name).description}`, async () => {
      const report = await runScenario(scenarioByName(name), { durationMs: DURATION_MS });
      const context = `seed ${report.seed}, faults ${formatCounts(report.faults)}`;
      expect(violationsOf(report), context).toEqual([]);
      expect(report.undecided, context).toEqual([]);
      expect(Object.values(report.faults).reduce((a, b) => a + b, 0), context).toBeGreaterThan(0);
      expect(report.operations, context).toBeGreaterThan(200);
      expect(report.watchEvents, context).toBeGreaterThan(0);
      expect(report.leases, context).toBeGreaterThan(0);
    }, 180_000);
  }
});

describe("fault suite: bounded run over the gateway transport (etcd's JSON gateway, fetch)", () => {
  it("client-faults: every checker passes", async () => {
    const factory: ClientFactory = (endpoints, o) => createSdkClient({ endpoints, ...o, transport: "gateway" });
    const report = await runScenario(scenarioByName("client-faults"), { durationMs: DURATION_MS, factory, label: "client-faults (gateway)" });
    const context = `seed ${report.seed}, faults ${formatCounts(report.faults)}`;
    expect(violationsOf(report), context).toEqual([]);
    expect(report.undecided, context).toEqual([]);
    expect(report.operations, context).toBeGreaterThan(200);
    expect(report.watchEvents, context).toBeGreaterThan(0);
  }, 180_000);
});

describe("fault suite: deliberately broken clients against real etcd are caught", () => {
  const quiet: ScenarioSpec = {
    name: "broken-clients",
    description: "no faults: the bugs are in the client",
    nemeses: [],
    timing: { quietMs: [1000, 1000], faultMs: [0, 0] },
    workloads: { register: 3, watch: 2, lease: 4 },
  };

  it("finds the resent write, the stale read, the dropped watch event and the late lease loss", async () => {
    const factory = brokenClientFactory({ resendPut: 0.05, staleGet: 0.1, dropOnReconnect: true, lateLost: true });
    const referenceFactory: ClientFactory = (endpoints, o) => createSdkClient({ endpoints, ...o });
    // The dropping watches never catch up with the final revision: do not wait long for them.
    const report = await runScenario(quiet, { durationMs: 10_000, factory, referenceFactory, seed: 1, catchUpMs: 3000 });
    const kinds = Object.keys(report.violations);
    expect(kinds).toContain("duplicate-write");
    expect(kinds.some((k) => k === "linearizability" || k === "revision-order")).toBe(true);
    expect(kinds).toContain("watch-reliable");
    expect(kinds).toContain("lease-lost-late");
  }, 120_000);
});
