/**
 * `pnpm torture:leasing [--minutes 10] [--scenario pause,crash,partition,client-faults] [--seed S]`: the fault
 * suite (`@etcdkit/torture`) over leasing and plain clients on the same keys, one scenario after
 * another against fresh 3-member clusters, every history checked (linearizability with reads
 * answered from the leasing caches, at-most-once, reads, watches, leases, locks). Writes the
 * report to `bench/results/leasing-torture.md`; exits 1 on any violation.
 *
 * @example
 * ```ts
 * // pnpm torture:leasing --minutes 10
 * ```
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { createSdkClient, runSuite, scenarioByName, type ClientFactory } from "@etcdkit/torture";
import { mixedFactory } from "./leasing-torture-clients.test-helpers.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    scenario: { type: "string", default: "pause,crash,partition,client-faults" },
    seed: { type: "string" },
    out: { type: "string", default: path.resolve(import.meta.dirname, "../../../bench/results/leasing-torture.md") },
  },
});

const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, got ${values.minutes}`);
const reference: ClientFactory = (endpoints, o) => createSdkClient({ endpoints, ...o });
const factories = new Map<string, ReturnType<typeof mixedFactory>>();
const runs = values.scenario.split(",").map((name) => {
  const spec = scenarioByName(name.trim());
  const factory = mixedFactory();
  factories.set(spec.name, factory);
  return { spec, factory, referenceFactory: reference, label: `${spec.name} (leasing)`, file: `${spec.name}-leasing` };
});
const clientLines = (): string =>
  [...factories]
    .map(([name, f]) => `- ${name}: clients ${f.counts.leasing} leasing / ${f.counts.plain} plain; leasing reads ${f.totals.hits} from cache, ${f.totals.misses} from etcd`)
    .join("\n");
const { unexplained } = await runSuite({
  runs,
  minutes,
  out: values.out,
  title: "Fault suite over leasing and plain clients",
  command: `pnpm torture:leasing --minutes ${values.minutes} --scenario ${values.scenario}`,
  appendix: () => `\n## Clients\n\n${clientLines()}\n`,
  ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
});
console.log(clientLines());
process.exit(unexplained ? 1 : 0);
