/**
 * `pnpm bench <suite> [options]`: runs one benchmark suite and prints markdown tables.
 * Benchmarks report numbers and targets; they never fail on timings (exit code 0 unless the
 * bench itself cannot run).
 */
import { resolve } from "node:path";
import { listFlag, parseArgs, secondsFlag } from "./args.js";
import { suites as baseSuites } from "./suites/index.js";
import { coldStartSuite } from "./suites/cold-start.js";
import { concurrencySuite } from "./suites/concurrency.js";
import { leaseScaleSuite } from "./suites/lease-scale.js";
import { leasingSuite } from "./suites/leasing.js";
import { watchScaleSuite } from "./suites/watch-scale.js";
import type { SuiteOptions } from "./suites/types.js";

const suites = [...baseSuites, watchScaleSuite, leaseScaleSuite, coldStartSuite, concurrencySuite, leasingSuite];

const USAGE = `usage: pnpm bench <suite> [options]

suites:
${suites.map((s) => `  ${s.name.padEnd(12)} ${s.description}`).join("\n")}

options:
  --rounds N          interleaved rounds per cell (median reported)
  --warmup S          warm-up seconds per cell
  --duration S        measured seconds per cell
  --clients a,b       only these clients
  --workloads x,y     only these workloads (e.g. put-c1,get-c64)
  --quick             1 round, 0.5 s warm-up, 1 s measured (a smoke run; report not written)
  --out FILE          write the markdown report here (default: bench/results/<suite>.md on full runs)
  --no-write          do not write the report file

environment:
  ETCD_ENDPOINTS      use this etcd (first URL) instead of starting one`;

async function main(argv: readonly string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv);
  const name = positional[0];
  if (name === undefined || flags.has("help")) {
    console.log(USAGE);
    return name === undefined && !flags.has("help") ? 1 : 0;
  }
  const suite = suites.find((s) => s.name === name);
  if (suite === undefined) {
    console.error(`unknown suite "${name}"\n\n${USAGE}`);
    return 1;
  }
  const quick = flags.has("quick");
  const d = quick ? { rounds: 1, warmupMs: 500, durationMs: 1_000 } : suite.defaults;
  const roundsFlag = flags.get("rounds");
  const rounds = roundsFlag === undefined ? d.rounds : Number(roundsFlag);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds takes a positive integer");
  const clients = listFlag(flags, "clients");
  const workloads = listFlag(flags, "workloads");
  const outFlag = flags.get("out");
  const partial = quick || clients !== undefined || workloads !== undefined;
  const options: SuiteOptions = {
    rounds,
    warmupMs: secondsFlag(flags, "warmup", d.warmupMs),
    durationMs: secondsFlag(flags, "duration", d.durationMs),
    clients,
    workloads,
    out: flags.has("no-write") ? null : typeof outFlag === "string" ? resolve(outFlag) : partial ? null : undefined,
    command: ["pnpm bench", ...argv.filter((a) => a !== "--")].join(" "),
  };
  await suite.run(options);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
