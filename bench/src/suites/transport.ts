import { writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { clients as allClients, type ClientFactory } from "../clients/index.js";
import { acquireEtcd } from "../etcd.js";
import { load1, machineInfo } from "../machine.js";
import { fmtInt, fmtRatio, fmtUs, markdownTable, targetLines, type TargetCheck } from "../report.js";
import { cellKey, runRounds } from "../rounds.js";
import { summarize, type Summary } from "../summary.js";
import type { Workload } from "../workload.js";
import type { Suite, SuiteOptions } from "./types.js";

const VALUE_BYTES = 256;

/** put and get at concurrency 1 (with latency) and 64. */
export const TRANSPORT_WORKLOADS: readonly Workload[] = [
  { id: "put-c1", name: "put, c=1", op: "put", concurrency: 1, valueBytes: VALUE_BYTES, latency: true },
  { id: "get-c1", name: "get, c=1", op: "get", concurrency: 1, valueBytes: VALUE_BYTES, latency: true },
  { id: "put-c64", name: "put, c=64", op: "put", concurrency: 64, valueBytes: VALUE_BYTES, latency: false },
  { id: "get-c64", name: "get, c=64", op: "get", concurrency: 64, valueBytes: VALUE_BYTES, latency: false },
];

/** The client the targets are about, the one they are compared with, and the floor. */
const SUBJECT = "etcdkit";
const BASELINE = "etcd3";
const FLOOR = "bare-http2";

const DEFAULT_OUT = fileURLToPath(new URL("../../results/transport.md", import.meta.url));

function compare(
  goal: string,
  a: number | undefined,
  b: number | undefined,
  relation: "≥" | "≤",
  factor: number,
  missing: string,
): TargetCheck {
  if (a === undefined || b === undefined) return { goal, measured: undefined, met: undefined, note: missing };
  const ratio = a / b;
  const met = relation === "≥" ? ratio >= factor : ratio <= factor;
  return { goal, measured: `${ratio.toFixed(2)}×`, met };
}

function targets(workloads: readonly Workload[], table: Map<string, Map<string, Summary>>, skipped: Map<string, string>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const why = (name: string): string => (skipped.has(name) ? `${name} skipped, see below` : `no ${name} result`);
  for (const w of workloads) {
    const row = (name: string): Summary | undefined => table.get(w.id)?.get(name);
    const s = row(SUBJECT);
    const base = row(BASELINE);
    const floor = row(FLOOR);
    const missing = s?.opsPerSec === undefined ? why(SUBJECT) : base?.opsPerSec === undefined ? why(BASELINE) : why(FLOOR);
    if (w.concurrency >= 64) {
      checks.push(compare(`${w.name}: ${SUBJECT} ops/s ≥ 1.5× ${BASELINE}`, s?.opsPerSec, base?.opsPerSec, "≥", 1.5, missing));
      checks.push(compare(`${w.name}: ${SUBJECT} CPU/op ≤ 1.3× floor (${FLOOR})`, s?.cpuUsPerOp, floor?.cpuUsPerOp, "≤", 1.3, missing));
    } else if (w.latency) {
      checks.push(compare(`${w.name}: ${SUBJECT} p50 latency ≤ ${BASELINE}`, s?.p50Us, base?.p50Us, "≤", 1, missing));
    }
  }
  return checks;
}

function workloadTable(w: Workload, rows: Map<string, Summary>, order: readonly ClientFactory[]): string {
  const base = rows.get(BASELINE);
  const floor = rows.get(FLOOR);
  const body = order
    .filter((c) => rows.has(c.name))
    .map((c) => {
      const s = rows.get(c.name)!;
      if (s.rounds === 0) return [c.name, "error", "—", "—", "—", "—", "—"];
      return [
        c.name,
        fmtInt(s.opsPerSec),
        fmtUs(s.cpuUsPerOp),
        w.latency ? fmtUs(s.p50Us) : "—",
        w.latency ? fmtUs(s.p99Us) : "—",
        fmtRatio(s.opsPerSec, base?.opsPerSec),
        fmtRatio(s.cpuUsPerOp, floor?.cpuUsPerOp),
      ];
    });
  const table = markdownTable(["client", "ops/s", "CPU µs/op", "p50 µs", "p99 µs", "ops/s vs etcd3", "CPU vs floor"], body);
  const ranges = order
    .map((c) => [c.name, rows.get(c.name)?.opsRange] as const)
    .filter((e): e is readonly [string, readonly [number, number]] => e[1] !== undefined && rows.get(e[0])!.rounds > 1)
    .map(([name, [lo, hi]]) => `${name} ${fmtInt(lo)}–${fmtInt(hi)}`);
  return ranges.length === 0 ? table : `${table}\n\nops/s range over rounds: ${ranges.join("; ")}.`;
}

/**
 * `pnpm bench transport`: put and get (256-byte values) at c=1 and c=64 for etcdkit's transport,
 * Connect's generic gRPC transport, the etcd3 npm package and a bare node:http2 floor, against one
 * etcd, each cell in its own process, in interleaved rounds; prints markdown tables and targets.
 */
export const transportSuite: Suite = {
  name: "transport",
  description: "put/get, 256 B, c=1 and c=64: etcdkit vs connect-grpc vs etcd3 vs a bare node:http2 floor",
  defaults: { rounds: 3, warmupMs: 1_000, durationMs: 2_000 },
  async run(options: SuiteOptions): Promise<void> {
    const wanted = allClients.filter((c) => options.clients === undefined || options.clients.includes(c.name));
    const workloads = TRANSPORT_WORKLOADS.filter((w) => options.workloads === undefined || options.workloads.includes(w.id));
    const skipped = new Map<string, string>();
    const active: ClientFactory[] = [];
    for (const c of wanted) {
      const reason = await c.unavailable();
      if (reason === undefined) active.push(c);
      else {
        skipped.set(c.name, reason);
        console.error(`skipping ${c.name}: ${reason}`);
      }
    }
    const machine = machineInfo();
    const loadBefore = load1();
    await using etcd = await acquireEtcd();
    console.error(`etcd ${etcd.version} at ${etcd.url} (${etcd.source}); ${active.length} clients × ${workloads.length} workloads × ${options.rounds} rounds`);

    const started = performance.now();
    const results = await runRounds({
      clients: active,
      workloads,
      rounds: options.rounds,
      beforeCell: () => etcd.compact(),
      cell: (c, w) => ({
        kind: "kv",
        client: c.name,
        workload: w,
        url: etcd.url,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        keyPrefix: `bench/${c.name}/${w.id}`,
      }),
    });
    const elapsedS = (performance.now() - started) / 1000;
    const loadAfter = load1();

    const table = new Map<string, Map<string, Summary>>();
    for (const w of workloads) {
      const rows = new Map<string, Summary>();
      for (const c of active) {
        const slot = results.get(cellKey(w.id, c.name));
        rows.set(c.name, summarize(slot?.ok ?? [], slot?.failed ?? []));
      }
      table.set(w.id, rows);
    }

    const sections: string[] = [];
    for (const w of workloads) {
      sections.push(`### ${w.name}\n\n${workloadTable(w, table.get(w.id)!, active)}`);
    }
    const failures = [...results.entries()].flatMap(([key, slot]) =>
      slot.failed.map((m) => `- ${key}: ${m.split("\n")[0]}`),
    );
    const checks = targets(workloads, table, skipped);
    const notes = [
      ...[...skipped].map(([name, reason]) => `- **${name} skipped**: ${reason}.`),
      ...(failures.length > 0 ? ["- Failed cells (excluded from the medians):", ...failures.map((f) => `  ${f}`)] : []),
    ];
    const header = [
      `- date: ${machine.date}`,
      `- node: ${machine.node}; etcd: ${etcd.version} (${etcd.source}, same machine); machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.os}`,
      `- command: \`${options.command}\``,
      `- method: each (client, workload) cell runs in its own child process against the same etcd: ` +
        `${options.warmupMs / 1000} s warm-up, then ${options.durationMs / 1000} s measured; ${options.rounds} interleaved round(s) ` +
        `with the client order rotated; each column is the median over rounds. ${VALUE_BYTES}-byte values; ` +
        `c = concurrent loops of awaited calls. CPU µs/op = the worker's process.cpuUsage() (user + system) ` +
        `over the measured phase / ops (client only; etcd shares the cores). p50/p99 are per-call latencies at c=1. ` +
        `Run time ${Math.round(elapsedS)} s; 1-min load average ${loadBefore} before, ${loadAfter} after ` +
        `(other work on the machine lowers every client's numbers; compare within a run).`,
    ].join("\n");
    const clientsText = active.map((c) => `- \`${c.name}\`: ${c.description}`).join("\n");
    const targetsText =
      `Targets (at c=64 ${SUBJECT} ≥ 1.5× ${BASELINE} ops/s and ≤ 1.3× floor CPU/op; at c=1 ${SUBJECT} latency ≤ ${BASELINE}):\n\n` +
      targetLines(checks);
    const body = [header, ...sections, targetsText, `Clients:\n\n${clientsText}`, ...(notes.length > 0 ? [notes.join("\n")] : [])].join(
      "\n\n",
    );

    console.log(`\n## Transport benchmark\n\n${body}\n`);

    const out = options.out === undefined ? DEFAULT_OUT : options.out;
    if (out === null) {
      console.error("report file not written (--no-write, --quick or a filtered run; pass --out <file> to write one)");
      return;
    }
    await mkdir(dirname(out), { recursive: true });
    await writeFile(
      out,
      `# Transport benchmark\n\n<!-- Written by \`pnpm bench transport\` (bench/src/suites/transport.ts); rerun it instead of editing. -->\n\n${body}\n`,
    );
    console.error(`report written to ${out}`);
  },
};
