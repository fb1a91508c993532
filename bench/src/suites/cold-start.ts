import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runtimeBinary } from "../../../examples/runtimes/runtime-binaries.js";
import { preparePrograms } from "../cold-start/programs.js";
import { coldStartVariants, type Variant } from "../cold-start/variants.js";
import { acquireEtcd } from "../etcd.js";
import { load1 } from "../machine.js";
import { fmtInt, fmtRatio, markdownTable, targetLines, type TargetCheck } from "../report.js";
import { rotate } from "../rounds.js";
import { median } from "../stats.js";
import { headerLines, writeReport } from "./scale-report.js";
import type { Suite, SuiteOptions } from "./types.js";

const DEFAULT_OUT = fileURLToPath(new URL("../../results/cold-start.md", import.meta.url));
const WORK_DIR = fileURLToPath(new URL("../../.cold-start/", import.meta.url));

/** Spawn → exit of one run, in ms; rejects when the program fails. */
function timeRun(variant: Variant, etcdUrl: string, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(variant.command, [...variant.args], {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ETCD_URL: etcdUrl, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${variant.id} exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" / ")}`));
    });
  });
}

function optionalBinary(runtime: "bun" | "deno"): string | undefined {
  try {
    return runtimeBinary(runtime);
  } catch {
    return undefined;
  }
}

/**
 * `pnpm bench cold-start`: process start → first answer for a bundled etcdkit put + get, side by
 * side in one run with the unbundled etcd3 package, a bare node:http2 put + get, and an empty
 * `node -e 0`; the bundles also run in Bun and Deno. Each variant is a fresh process per round,
 * rounds interleaved with the order rotated; medians reported.
 */
export const coldStartSuite: Suite = {
  name: "cold-start",
  description: "process start → first answer: bundled etcdkit vs etcd3 (unbundled), bare node:http2, node -e 0; Bun and Deno too",
  defaults: { rounds: 15, warmupMs: 0, durationMs: 0 },
  async run(options: SuiteOptions): Promise<void> {
    const loadBefore = load1();
    await using etcd = await acquireEtcd();
    const programs = await preparePrograms(WORK_DIR);
    const variants = coldStartVariants(programs, { bun: optionalBinary("bun"), deno: optionalBinary("deno") }).filter(
      (v) => options.clients === undefined || options.clients.includes(v.id),
    );
    console.error(`etcd ${etcd.version} at ${etcd.url} (${etcd.source}); ${variants.length} variants × ${options.rounds} rounds`);
    const started = performance.now();
    const times = new Map<string, number[]>(variants.map((v) => [v.id, []]));
    const failures: string[] = [];
    // One unmeasured run each: the file system cache and etcd's first connection are not what we measure.
    for (const v of variants) await timeRun(v, etcd.url, WORK_DIR).catch((err: Error) => failures.push(err.message));
    for (let round = 0; round < options.rounds; round++) {
      for (const v of rotate(variants, round)) {
        try {
          times.get(v.id)!.push(await timeRun(v, etcd.url, WORK_DIR));
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
      console.error(`[round ${round + 1}/${options.rounds}] ${variants.map((v) => `${v.id} ${fmtInt(times.get(v.id)!.at(-1))} ms`).join(", ")}`);
    }
    rmSync(WORK_DIR, { recursive: true, force: true });
    const med = (id: string) => (times.get(id)?.length ? median(times.get(id)!) : undefined);
    const etcd3 = med("node-etcd3");
    const bare = med("node-bare");
    const table = markdownTable(
      ["runtime", "program", "median ms", "vs etcd3 (node)", "vs bare call (node)", "vs empty start (same runtime)"],
      variants.map((v) => [
        v.runtime,
        v.program,
        fmtInt(med(v.id)),
        fmtRatio(med(v.id), etcd3),
        fmtRatio(med(v.id), bare),
        fmtRatio(med(v.id), med(`${v.runtime}-empty`)),
      ]),
      2,
    );
    const ratio = (goal: string, a: number | undefined, b: number | undefined, max: number): TargetCheck =>
      a === undefined || b === undefined ? { goal, measured: undefined, met: undefined, note: "a variant has no result" } : { goal, measured: `${(a / b).toFixed(2)}×`, met: a / b <= max };
    const checks = [
      ratio("bundled etcdkit put + get ≤ 0.40× etcd3 (unbundled)", med("node-etcdkit"), etcd3, 0.4),
      ratio("bundled etcdkit put + get within 1.25× of the bare node:http2 call", med("node-etcdkit"), bare, 1.25),
    ];
    const method =
      `every variant is a new process per round (spawn → exit; each program exits as soon as its get is answered), ${options.rounds} interleaved ` +
      `rounds with the order rotated after one unmeasured run each, medians reported. etcdkit's programs are bundled with esbuild (minified ESM; ` +
      `the gateway one as for a browser); etcd3 runs unbundled from node_modules (it loads .proto files at run time and cannot be bundled); the bare ` +
      `call is a hand-encoded put and get over node:http2.`;
    const body = [
      headerLines(etcd, options, method, (performance.now() - started) / 1000, [loadBefore, load1()]),
      table,
      `Targets:\n\n${targetLines(checks)}`,
      ...(failures.length > 0 ? [`Failed runs (excluded):\n\n${failures.map((f) => `- ${f}`).join("\n")}`] : []),
    ].join("\n\n");
    console.log(body);
    await writeReport(options, DEFAULT_OUT, "Cold start", "cold-start", body);
  },
};
