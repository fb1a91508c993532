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
import * as path from "node:path";
import { parseArgs } from "node:util";
import { scenarioByName, scenarios } from "./scenario/scenarios.js";
import { createSdkClient } from "./sdk/sdk-client.js";
import type { ClientFactory } from "./sdk/torture-client.js";
import { runSuite } from "./suite/run-suite.js";

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
const runs = clients.flatMap((client) =>
  chosen.map((spec) => {
    const factory: ClientFactory = (endpoints, o) => createSdkClient({ endpoints, ...o, transport: client as "grpc" | "gateway" });
    return { spec, factory, label: client === "grpc" ? spec.name : `${spec.name} (${client})`, file: `${spec.name}-${client}` };
  }),
);
const { unexplained } = await runSuite({
  runs,
  minutes,
  out: values.out,
  command: `pnpm torture --minutes ${values.minutes} --scenario ${values.scenario}${values.client === "grpc" ? "" : ` --client ${values.client}`}`,
  ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
});
process.exit(unexplained ? 1 : 0);
