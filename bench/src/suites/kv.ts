import { writeFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { CellResult } from "../cell.js";
import { acquireEtcd } from "../etcd.js";
import { kvLayerClients, type KvLayerClientFactory } from "../kv-layer/clients.js";
import { measureLayerCost, type LayerCostResult } from "../kv-layer/layer-cost.js";
import { bootstrapRatioInterval, cpuPerOp, measurePaired, pairedRatio, type PairedResult } from "../kv-layer/paired.js";
import { KV_LAYER_WORKLOADS, KV_VALUE_BYTES, WARMUP_LOOPS, type KvLayerWorkload } from "../kv-layer/workloads.js";
import { load1, machineInfo } from "../machine.js";
import { fmtInt, fmtRatio, fmtUs, markdownTable, targetLines, type TargetCheck } from "../report.js";
import { cellKey, runRounds, type CellOutcomes } from "../rounds.js";
import { median } from "../stats.js";
import { summarize, type Summary } from "../summary.js";
import type { Suite, SuiteOptions } from "./types.js";

/** The builder layer under test, the raw generated-client calls it is compared with, and the reference. */
const SUBJECT = "etcdkit-kv";
const RAW = "raw";
const REFERENCE = "etcd3";
/** Target: the builder layer costs at most this much client CPU per op relative to raw calls. */
const MAX_CPU_RATIO = 1.1;
/** Paired measurement: window pairs per round of the suite (3 rounds: 36 pairs), each window this long. */
const PAIRS_PER_ROUND = 12;
const PAIR_WINDOW_MS = 250;

const DEFAULT_OUT = fileURLToPath(new URL("../../results/kv.md", import.meta.url));

/** The subject's CPU/op over raw's, per round in which both cells succeeded (noise indicator). */
function pairedCpuRatios(subject: CellOutcomes | undefined, raw: CellOutcomes | undefined): number[] {
  if (subject === undefined || raw === undefined) return [];
  const rawByRound = new Map<number, CellResult>(raw.ok.map((r, i) => [raw.okRounds[i]!, r]));
  return subject.ok.flatMap((r, i) => {
    const other = rawByRound.get(subject.okRounds[i]!);
    return other === undefined ? [] : [r.cpuUsPerOp / other.cpuUsPerOp];
  });
}

function workloadTable(w: KvLayerWorkload, rows: Map<string, Summary>, order: readonly KvLayerClientFactory[]): string {
  const raw = rows.get(RAW);
  const ref = rows.get(REFERENCE);
  const body = order
    .filter((c) => rows.has(c.name))
    .map((c) => {
      const s = rows.get(c.name)!;
      if (s.rounds === 0) return [c.name, "error", "—", "—", "—", "—", "—", "—"];
      return [
        c.name,
        fmtInt(s.opsPerSec),
        fmtUs(s.cpuUsPerOp),
        w.latency ? fmtUs(s.p50Us) : "—",
        w.latency ? fmtUs(s.p99Us) : "—",
        fmtRatio(s.cpuUsPerOp, raw?.cpuUsPerOp),
        fmtRatio(s.opsPerSec, raw?.opsPerSec),
        fmtRatio(s.opsPerSec, ref?.opsPerSec),
      ];
    });
  const table = markdownTable(
    ["client", "ops/s", "CPU µs/op", "p50 µs", "p99 µs", "CPU vs raw", "ops/s vs raw", "ops/s vs etcd3"],
    body,
  );
  const ranges = order
    .map((c) => [c.name, rows.get(c.name)] as const)
    .filter((e): e is readonly [string, Summary & { opsRange: readonly [number, number] }] => e[1]?.opsRange !== undefined && e[1].rounds > 1)
    .map(([name, s]) => `${name} ${fmtInt(s.opsRange[0])}–${fmtInt(s.opsRange[1])}`);
  return ranges.length === 0 ? table : `${table}\n\nops/s range over rounds: ${ranges.join("; ")}.`;
}

/** The @etcdkit/kv layer's CPU per call without I/O (etcdkit-kv − raw on the fake transport), by op. */
function layerUs(cost: LayerCostResult | undefined, op: KvLayerWorkload["op"]): number | undefined {
  return cost?.layerUsPerCall[op];
}

/** (raw CPU/op + the layer's CPU/call without I/O) / raw CPU/op: the ratio the layer cost alone predicts. */
function estimatedRatio(w: KvLayerWorkload, table: Map<string, Map<string, Summary>>, cost: LayerCostResult | undefined): number | undefined {
  const raw = table.get(w.id)?.get(RAW)?.cpuUsPerOp;
  const layer = layerUs(cost, w.op);
  return raw === undefined || layer === undefined ? undefined : (raw + layer) / raw;
}

/** The paired in-process measurement of one workload, reduced to what the tables show. */
interface PairedSummary {
  readonly rawUs: number;
  readonly subjectUs: number;
  readonly ratio: number;
  /** 90% bootstrap interval of `ratio`. */
  readonly interval: readonly [number, number];
  readonly pairs: number;
}

function summarizePaired(result: PairedResult): PairedSummary {
  return {
    rawUs: cpuPerOp(result.samples.map((p) => p[0])),
    subjectUs: cpuPerOp(result.samples.map((p) => p[1])),
    ratio: pairedRatio(result.samples),
    interval: bootstrapRatioInterval(result.samples, 0.9),
    pairs: result.samples.length,
  };
}

/** The ratio the verdict is taken on: the paired one when it was measured, else the separate cells'. */
function verdictRatio(w: KvLayerWorkload, table: Map<string, Map<string, Summary>>, paired: Map<string, PairedSummary>): number | undefined {
  const p = paired.get(w.id);
  if (p !== undefined) return p.ratio;
  const raw = table.get(w.id)?.get(RAW)?.cpuUsPerOp;
  const subject = table.get(w.id)?.get(SUBJECT)?.cpuUsPerOp;
  return raw === undefined || subject === undefined ? undefined : subject / raw;
}

/**
 * One row per workload: the paired in-process CPU/op of raw and etcdkit-kv, their ratio with its
 * 90% interval and the verdict; then the separate cells' ratio with its per-round values, and the
 * layer's CPU per call measured without I/O.
 */
function layerTable(
  workloads: readonly KvLayerWorkload[],
  table: Map<string, Map<string, Summary>>,
  results: Map<string, CellOutcomes>,
  paired: Map<string, PairedSummary>,
  controls: Map<string, PairedSummary>,
  cost: LayerCostResult | undefined,
): string {
  const rows = workloads.map((w) => {
    const p = paired.get(w.id);
    const control = controls.get(w.id);
    const raw = table.get(w.id)?.get(RAW)?.cpuUsPerOp;
    const subject = table.get(w.id)?.get(SUBJECT)?.cpuUsPerOp;
    const perRound = pairedCpuRatios(results.get(cellKey(w.id, SUBJECT)), results.get(cellKey(w.id, RAW)));
    const cellsRatio = raw === undefined || subject === undefined ? undefined : subject / raw;
    const verdict = verdictRatio(w, table, paired);
    const layer = layerUs(cost, w.op);
    return [
      w.name,
      fmtUs(p?.rawUs),
      fmtUs(p?.subjectUs),
      // Three decimals: the verdict is against 1.10, and "1.10×" next to MISSED would read as a bug.
      p === undefined ? "—" : `${p.ratio.toFixed(3)}×`,
      p === undefined ? "—" : `${p.interval[0].toFixed(2)}–${p.interval[1].toFixed(2)}×`,
      verdict === undefined ? "—" : verdict <= MAX_CPU_RATIO ? "met" : "MISSED",
      control === undefined ? "—" : `${control.ratio.toFixed(3)}× (${control.interval[0].toFixed(2)}–${control.interval[1].toFixed(2)}×)`,
      cellsRatio === undefined ? "—" : `${cellsRatio.toFixed(2)}× (${perRound.map((r) => `${r.toFixed(2)}×`).join(", ")})`,
      layer === undefined ? "—" : `${layer >= 0 ? "+" : "−"}${fmtUs(Math.abs(layer))}`,
    ];
  });
  return markdownTable(
    [
      "workload",
      "raw CPU µs/op",
      `${SUBJECT} CPU µs/op`,
      `${SUBJECT} / raw`,
      "90% interval",
      `≤ ${MAX_CPU_RATIO.toFixed(2)}×`,
      "A/A control: raw / raw (90%)",
      "separate cells: ratio (per round)",
      "layer µs/call, no I/O",
    ],
    rows,
  );
}

function targets(
  workloads: readonly KvLayerWorkload[],
  table: Map<string, Map<string, Summary>>,
  paired: Map<string, PairedSummary>,
  active: readonly KvLayerClientFactory[],
  cost: LayerCostResult | undefined,
): TargetCheck[] {
  return workloads.map((w) => {
    const goal = `${w.name}: ${SUBJECT} CPU/op ≤ ${MAX_CPU_RATIO.toFixed(2)}× ${RAW}`;
    const ratio = verdictRatio(w, table, paired);
    if (ratio === undefined) {
      const missing = [SUBJECT, RAW].filter((n) => !active.some((c) => c.name === n));
      const note = missing.length > 0 ? `${missing.join(" and ")} not run` : "no result";
      return { goal, measured: undefined, met: undefined, note };
    }
    const p = paired.get(w.id);
    const estimate = estimatedRatio(w, table, cost);
    const parts = [
      p === undefined ? "separate cells" : `paired, 90% interval ${p.interval[0].toFixed(2)}–${p.interval[1].toFixed(2)}×`,
      ...(estimate === undefined ? [] : [`from the layer cost without I/O: ${estimate.toFixed(2)}×`]),
    ];
    return { goal, measured: `${ratio.toFixed(3)}× (${parts.join("; ")})`, met: ratio <= MAX_CPU_RATIO };
  });
}

/**
 * `pnpm bench kv`: what the @etcdkit/kv builder layer costs over raw generated-client calls on the
 * same etcdkit transport, for get, put and a 4-op txn (256-byte values) at c=1 and c=64, with the
 * etcd3 npm package for reference; one etcd, each cell in its own process, interleaved rounds.
 * Prints markdown tables and the CPU/op target (etcdkit-kv ≤ 1.10× raw); never fails on timings.
 */
export const kvSuite: Suite = {
  name: "kv",
  description: "get/put/txn4, 256 B, c=1 and c=64: @etcdkit/kv builder layer vs raw createClient(KV) calls (same transport) vs etcd3",
  // 3 clients × 6 workloads × 3 rounds = 54 cells of ~3.7 s each (process start included), ~8 s
  // of layer cost without I/O, and 6 paired runs plus 6 A/A controls of ~22 s each: ~8 min on 2 cores.
  defaults: { rounds: 3, warmupMs: 1_250, durationMs: 1_250 },
  async run(options: SuiteOptions): Promise<void> {
    const active = kvLayerClients.filter((c) => options.clients === undefined || options.clients.includes(c.name));
    const workloads = KV_LAYER_WORKLOADS.filter((w) => options.workloads === undefined || options.workloads.includes(w.id));
    if (active.length === 0 || workloads.length === 0) {
      throw new Error(
        `nothing to run (clients: ${kvLayerClients.map((c) => c.name).join(", ")}; workloads: ${KV_LAYER_WORKLOADS.map((w) => w.id).join(", ")})`,
      );
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
        kind: "kv-layer",
        client: c.name,
        workload: w,
        url: etcd.url,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        keyPrefix: `bench/kv/${c.name}/${w.id}`,
      }),
    });
    let cost: LayerCostResult | undefined;
    let costError: string | undefined;
    const layerOps = [...new Set(workloads.map((w) => w.op))];
    const costSpec = { ops: layerOps, valueBytes: KV_VALUE_BYTES, keyPrefix: "bench/kv/layer", warmupMs: 400, rounds: 9, msPerRound: 80 };
    if ([RAW, SUBJECT].every((n) => active.some((c) => c.name === n))) {
      try {
        cost = await measureLayerCost(costSpec);
        console.error(
          `[layer cost, no I/O] ${layerOps.map((op) => `${op} ${fmtUs(cost!.cpuUsPerCall[`${op}/${RAW}`])} → ${fmtUs(cost!.cpuUsPerCall[`${op}/${SUBJECT}`])} µs/call`).join("; ")}`,
        );
      } catch (err) {
        costError = err instanceof Error ? err.message : String(err);
        console.error(`[layer cost, no I/O] FAILED: ${costError}`);
      }
    }
    // The paired in-process measurement, per workload (see kv-layer/paired.ts): the verdict. Its
    // A/A control (raw against raw, same method) shows the method's own bias and spread.
    const paired = new Map<string, PairedSummary>();
    const controls = new Map<string, PairedSummary>();
    const pairedSpec = { pairs: PAIRS_PER_ROUND * options.rounds, windowMs: PAIR_WINDOW_MS };
    if ([RAW, SUBJECT].every((n) => active.some((c) => c.name === n))) {
      for (const w of workloads) {
        const runs = [
          { clients: [RAW, SUBJECT] as const, into: paired, label: "paired" },
          { clients: [RAW, RAW] as const, into: controls, label: "A/A control" },
        ];
        for (const run of runs) {
          await etcd.compact();
          try {
            const result = await measurePaired({ clients: run.clients, url: etcd.url, workload: w, keyPrefix: `bench/kv/paired/${w.id}`, warmupMs: options.warmupMs, ...pairedSpec });
            const summary = summarizePaired(result);
            run.into.set(w.id, summary);
            console.error(
              `[${run.label}] ${w.id}: ${run.clients[0]} ${fmtUs(summary.rawUs)} → ${run.clients[1]} ${fmtUs(summary.subjectUs)} µs/op = ` +
                `${summary.ratio.toFixed(3)}× (90% ${summary.interval[0].toFixed(2)}–${summary.interval[1].toFixed(2)}×, ${summary.pairs} pairs)`,
            );
          } catch (err) {
            console.error(`[${run.label}] ${w.id} FAILED: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
    }
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

    const sections = workloads.map((w) => `### ${w.name}\n\n${workloadTable(w, table.get(w.id)!, active)}`);
    const failures = [...results.entries()].flatMap(([key, slot]) => slot.failed.map((m) => `- ${key}: ${m.split("\n")[0]}`));
    const checks = targets(workloads, table, paired, active, cost);
    const measured = checks.filter((c) => c.met !== undefined);
    const ratios = workloads.map((w) => verdictRatio(w, table, paired)).filter((v): v is number => v !== undefined);
    const header = [
      `- date: ${machine.date}`,
      `- node: ${machine.node}; etcd: ${etcd.version} (${etcd.source}, same machine); machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.os}`,
      `- command: \`${options.command}\``,
      `- method: each (client, workload) cell runs in its own child process against the same etcd, ` +
        `\`raw\` and \`${SUBJECT}\` each on one \`createTransport({ endpoints: [url] })\`: write the keys, check the calls, ` +
        `${options.warmupMs / 1000} s warm-up (from at least ${WARMUP_LOOPS} concurrent loops, repeating the cell's calls, so that V8 ` +
        `has finished optimizing even at c=1), then ${options.durationMs / 1000} s measured at the cell's concurrency; ${options.rounds} interleaved round(s) ` +
        `with the client order rotated; each column is the median over rounds. ${KV_VALUE_BYTES}-byte values (the same bytes for every client); ` +
        `c = concurrent loops of awaited calls, each loop on its own keys. txn4 = one compare (version(key) > 0) and four success ops: ` +
        `put, put, get (the 256-byte key), delete (of an absent key). CPU µs/op = the worker's process.cpuUsage() (user + system) ` +
        `over the measured phase / ops (client only; etcd shares the cores). p50/p99 are per-call latencies at c=1. ` +
        `As in every suite, the packages run from their TypeScript source through tsx, whose esbuild transform keeps ` +
        `function names: each function expression evaluated per call also costs an Object.defineProperty (\`__name\`) that ` +
        `compiled dist/ code does not pay, so closure-heavy code (the txn builder) costs more here than in a build. ` +
        `Run time ${Math.round(elapsedS)} s; 1-min load average ${loadBefore} before, ${loadAfter} after ` +
        `(other work on the machine lowers every client's numbers; compare within a run).`,
    ].join("\n");
    const layerText =
      `### Builder layer: ${SUBJECT} CPU/op vs ${RAW} CPU/op\n\n` +
      `The key ratio: client CPU per op through \`@etcdkit/kv\` over the same call made raw, each on its own etcdkit ` +
      `transport to the same etcd. The verdict column uses the **paired** measurement: for each workload one fresh process ` +
      `holds both clients; after preparing their keys and ${options.warmupMs / 1000} s of warm-up each, it runs ` +
      `${pairedSpec.pairs} pairs of ${pairedSpec.windowMs} ms windows, both clients once per pair, the first one alternating; ` +
      `each window records its ops and process.cpuUsage(). CPU µs/op = Σ CPU / Σ ops over all windows of a client; the ` +
      `interval is a 90% bootstrap over the pairs. Because both clients share the process and alternate every ` +
      `${pairedSpec.windowMs} ms, machine-wide drift (other load, CPU steal on this shared VM) and per-process luck (JIT, ` +
      `heap layout) hit both alike; the separate cells (each client in its own process, ${options.durationMs / 1000} s, ` +
      `one ratio per round, also shown) swing by ±20–50% per round here. The A/A control runs the same paired ` +
      `measurement with \`raw\` against \`raw\` (a second raw client in the etcdkit-kv slot): its distance from 1.000 ` +
      `is what the method reports when there is no difference. ` +
      `"layer µs/call, no I/O" is the difference without etcd: both clients' calls in one process on a fake transport ` +
      `that encodes each request (create + toBinary, as etcdkit's transport does) and decodes a canned etcd-shaped response ` +
      `(fromBinary); after ${costSpec.warmupMs} ms of warm-up each, ${costSpec.rounds} rounds of ${costSpec.msPerRound} ms ` +
      `per client, back to back; the median of the paired differences.\n\n` +
      layerTable(workloads, table, results, paired, controls, cost) +
      (ratios.length > 0 ? `\n\nMedian over workloads: ${median(ratios).toFixed(2)}×; worst: ${Math.max(...ratios).toFixed(2)}×.` : "") +
      (cost === undefined
        ? ""
        : `\n\nWithout I/O, CPU µs per call (${RAW} → ${SUBJECT}): ${layerOps
            .map((op) => `${op} ${fmtUs(cost!.cpuUsPerCall[`${op}/${RAW}`])} → ${fmtUs(cost!.cpuUsPerCall[`${op}/${SUBJECT}`])}`)
            .join("; ")}.`) +
      (costError === undefined ? "" : `\n\nLayer cost without I/O not measured: ${costError.split("\n")[0]}.`);
    const targetsText =
      `Targets (${SUBJECT} client CPU/op ≤ ${MAX_CPU_RATIO.toFixed(2)}× ${RAW}, every workload; ` +
      `${measured.filter((c) => c.met === true).length} of ${measured.length} met):\n\n${targetLines(checks)}`;
    const clientsText = active.map((c) => `- \`${c.name}\`: ${c.description}`).join("\n");
    const notes = failures.length > 0 ? ["- Failed cells (excluded from the medians):", ...failures.map((f) => `  ${f}`)].join("\n") : undefined;
    const body = [header, layerText, targetsText, ...sections, `Clients:\n\n${clientsText}`, ...(notes === undefined ? [] : [notes])].join(
      "\n\n",
    );

    console.log(`\n## KV builder-layer benchmark\n\n${body}\n`);

    const out = options.out === undefined ? DEFAULT_OUT : options.out;
    if (out === null) {
      console.error("report file not written (--no-write, --quick or a filtered run; pass --out <file> to write one)");
      return;
    }
    await mkdir(dirname(out), { recursive: true });
    await writeFile(
      out,
      `# KV builder-layer benchmark\n\n<!-- Written by \`pnpm bench kv\` (bench/src/suites/kv.ts); rerun it instead of editing. -->\n\n${body}\n`,
    );
    console.error(`report written to ${out}`);
  },
};
