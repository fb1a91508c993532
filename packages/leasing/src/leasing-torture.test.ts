/**
 * The fault suite (`@etcdkit/torture`) over leasing and plain clients on the same keys, against a
 * real 3-member etcd: its linearizability checker (with etcd's revision model; reads answered from
 * a cache are placed at any revision from their key's current one on), at-most-once, reads,
 * watch and lease checkers must find nothing. A short run of three scenarios here (the third cuts,
 * delays and resets the clients' own connections, leasing clients' among them); the long run is
 * `packages/leasing/src/leasing-torture-run.test-helpers.ts`.
 */
import { createSdkClient, knownBugOf, runScenario, scenarioByName, type ClientFactory, type ScenarioReport } from "@etcdkit/torture";
import { describe, expect, it } from "vitest";
import { mixedFactory } from "./leasing-torture-clients.test-helpers.js";

const DURATION_MS = 8_000;
const reference: ClientFactory = (endpoints, o) => createSdkClient({ endpoints, ...o });

function violationsOf(report: ScenarioReport): string[] {
  return report.checks.flatMap((c) => c.violations.filter((v) => knownBugOf(v) === undefined).map((v) => `${c.checker} ${v.kind}: ${v.message}`));
}

describe("fault suite over leasing and plain clients (real 3-member etcd)", () => {
  it.each(["pause", "partition", "client-faults"])("%s: no violation, with reads answered from the leasing caches among them", async (name) => {
    const factory = mixedFactory();
    const report = await runScenario(scenarioByName(name), { durationMs: DURATION_MS, factory, referenceFactory: reference, label: `${name} (leasing)` });
    const context = `seed ${report.seed}, faults ${Object.entries(report.faults).map(([k, n]) => `${k}×${n}`).join(", ")}, reads ${JSON.stringify(factory.totals)}`;
    expect(violationsOf(report), context).toEqual([]);
    expect(report.undecided, context).toEqual([]);
    expect(Object.values(report.faults).reduce((a, b) => a + b, 0), context).toBeGreaterThan(0);
    expect([factory.counts.leasing > 0, factory.counts.plain > 0], context).toEqual([true, true]);
    expect(factory.totals.hits, context).toBeGreaterThan(0);
    expect(report.operations, context).toBeGreaterThan(100);
  }, 120_000);
});
