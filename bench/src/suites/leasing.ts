import { fileURLToPath } from "node:url";
import { acquireEtcd } from "../etcd.js";
import type { GetResult, LeasingSpec, SideResult, WriteResult } from "../leasing/spec.js";
import { load1 } from "../machine.js";
import { fmtInt, fmtRatio, fmtUs, markdownTable, targetLines, type TargetCheck } from "../report.js";
import { median } from "../stats.js";
import { runWorkerProcess } from "../worker-process.js";
import { headerLines, writeReport } from "./scale-report.js";
import type { Suite, SuiteOptions } from "./types.js";

const WORKER = fileURLToPath(new URL("../leasing/worker.ts", import.meta.url));
const DEFAULT_OUT = fileURLToPath(new URL("../../results/leasing.md", import.meta.url));
const WINDOW_MS = 250;
const WRITES = 150;

let cellCounter = 0;

function spec(kind: LeasingSpec["kind"], url: string, options: SuiteOptions): LeasingSpec {
  cellCounter++;
  return {
    kind,
    url,
    warmupMs: options.warmupMs,
    pairs: Math.max(2, Math.round(options.durationMs / (2 * WINDOW_MS))),
    windowMs: WINDOW_MS,
    writes: WRITES,
    name: `bench-leasing/${process.pid}/${kind}-${cellCounter}`,
  };
}

const wanted = (options: SuiteOptions, workload: string): boolean => options.workloads === undefined || options.workloads.includes(workload);
const med = (results: readonly SideResult[], f: (r: SideResult) => number | undefined): number | undefined =>
  results.length === 0 ? undefined : median(results.map((r) => f(r) ?? Number.NaN));
const ms = (us: number | undefined): string => (us === undefined || !Number.isFinite(us) ? "—" : (us / 1000).toFixed(2));

/**
 * `pnpm bench leasing`: `@etcdkit/leasing` against the same etcd, in one run. Reads: a cached get
 * (the leasing KV owns the key) side by side with a plain `@etcdkit/kv` get of the same key, in one
 * process, alternating windows — latency and client CPU per get. Writes: the cost of a put that
 * must make another process's leasing KV give the key up, next to a plain put and a leasing put of
 * a key nobody owns. Every cell runs in its own worker process.
 */
export const leasingSuite: Suite = {
  name: "leasing",
  description: "leasing KV: cached get vs plain get (latency, client CPU), and a write that must revoke another client's ownership",
  defaults: { rounds: 3, warmupMs: 2_000, durationMs: 6_000 },
  async run(options: SuiteOptions): Promise<void> {
    const loadBefore = load1();
    await using etcd = await acquireEtcd();
    console.error(`etcd ${etcd.version} at ${etcd.url} (${etcd.source}); ${options.rounds} rounds`);
    const started = performance.now();
    const failures: string[] = [];
    const gets: GetResult[] = [];
    const writes: WriteResult[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const tag = `[round ${round + 1}/${options.rounds}]`;
      const kinds: LeasingSpec["kind"][] = round % 2 === 0 ? ["get", "write"] : ["write", "get"];
      for (const kind of kinds) {
        if (!wanted(options, kind)) continue;
        const label = `${tag} ${kind}`;
        try {
          const result = await runWorkerProcess<GetResult | WriteResult>(label, WORKER, spec(kind, etcd.url, options), 180_000);
          console.error(`${label}: ${JSON.stringify(result)}`);
          if (kind === "get") gets.push(result as GetResult);
          else writes.push(result as WriteResult);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          failures.push(`- ${label}: ${message.split("\n")[0]}`);
          console.error(`${label} FAILED: ${message}`);
        } finally {
          await etcd.compact();
        }
      }
    }
    const elapsedS = (performance.now() - started) / 1000;

    const sections: string[] = [];
    const checks: TargetCheck[] = [];
    if (wanted(options, "get")) {
      const cached = gets.map((g) => g.cached);
      const plain = gets.map((g) => g.plain);
      const row = (name: string, rs: readonly SideResult[]): string[] => [
        name,
        fmtUs(med(rs, (r) => r.p50Us)),
        fmtUs(med(rs, (r) => r.p99Us)),
        fmtInt(med(rs, (r) => r.opsPerSec)),
        fmtUs(med(rs, (r) => r.cpuUsPerOp)),
      ];
      const ratio = (f: (r: SideResult) => number | undefined): string => fmtRatio(med(plain, f), med(cached, f));
      sections.push(
        `Get of one key (256-byte value), c=1, the leasing KV's cache hit and a plain get side by side in one process (alternating ${WINDOW_MS} ms windows; medians of ${gets.length} round(s)):\n\n` +
          markdownTable(
            ["get", "p50 µs", "p99 µs", "gets/s", "client CPU µs/get"],
            [
              row("`@etcdkit/leasing`, cache hit", cached),
              row("`@etcdkit/kv`, plain get (etcd round trip)", plain),
              ["plain ÷ cached", ratio((r) => r.p50Us), ratio((r) => r.p99Us), fmtRatio(med(cached, (r) => r.opsPerSec), med(plain, (r) => r.opsPerSec)), ratio((r) => r.cpuUsPerOp)],
            ],
          ) +
          `\n\nEvery cached get was a hit: ${gets.every((g) => g.misses === 0) ? "yes" : "NO"} (${gets.map((g) => `${fmtInt(g.hits)} hits, ${g.misses} misses`).join("; ")}).`,
      );
      const p50Ratio = med(plain, (r) => r.p50Us)! / med(cached, (r) => r.p50Us)!;
      checks.push(
        gets.length === 0
          ? { goal: "cache hit p50 ≥ 20× faster than a plain get", measured: undefined, met: undefined, note: "no result" }
          : { goal: "cache hit p50 ≥ 20× faster than a plain get", measured: `${p50Ratio.toFixed(1)}×`, met: p50Ratio >= 20 },
      );
    }
    if (wanted(options, "write")) {
      const side = (f: (w: WriteResult) => SideResult): SideResult[] => writes.map(f);
      const plainP50 = med(side((w) => w.plain), (r) => r.p50Us);
      const row = (name: string, rs: readonly SideResult[]): string[] => [
        name,
        ms(med(rs, (r) => r.p50Us)),
        ms(med(rs, (r) => r.p99Us)),
        fmtRatio(med(rs, (r) => r.p50Us), plainP50),
      ];
      sections.push(
        `Puts of 256-byte values, c=1, interleaved (${WRITES} of each kind per round; medians of ${writes.length} round(s)). The owner is a leasing KV in another process that acquired every key written in the last row:\n\n` +
          markdownTable(
            ["put", "p50 ms", "p99 ms", "p50 vs plain put"],
            [
              row("`@etcdkit/kv`, plain put", side((w) => w.plain)),
              row("`@etcdkit/leasing`, key nobody owns (one guarded txn)", side((w) => w.unowned)),
              row("`@etcdkit/leasing`, key another client owns (REVOKE, the owner gives it up, the put again)", side((w) => w.revoke)),
            ],
          ) +
          `\n\nREVOKE requests sent per round: ${writes.map((w) => w.revokes).join(", ")} (one per owned key).`,
      );
    }
    const method =
      `every cell runs in its own worker process against the same etcd, ${options.rounds} round(s), the cells' order alternating. ` +
      `Gets: ${options.warmupMs / 1000} s warm-up, then ${Math.max(2, Math.round(options.durationMs / (2 * WINDOW_MS)))} pairs of ${WINDOW_MS} ms windows; client CPU = process.cpuUsage() over each client's windows ÷ its gets; ` +
      `the cached loop yields to the event loop every 1024 gets (keepalives must run). Writes: the owner process acquires its keys before the measured loop.`;
    const body = [
      headerLines(etcd, options, method, elapsedS, [loadBefore, load1()]),
      ...sections,
      `Targets:\n\n${targetLines(checks)}`,
      ...(failures.length > 0 ? [`Failed cells (excluded):\n\n${failures.join("\n")}`] : []),
    ].join("\n\n");
    console.log(`\n## Leasing benchmark\n\n${body}\n`);
    await writeReport(options, DEFAULT_OUT, "Leasing benchmark", "leasing", body);
  },
};
