import { fileURLToPath } from "node:url";
import { acquireEtcd } from "../etcd.js";
import { load1 } from "../machine.js";
import { fmtInt, fmtRatio, markdownTable, targetLines, type TargetCheck } from "../report.js";
import { rotate } from "../rounds.js";
import { runScaleCell } from "../scale/scale-cell.js";
import type { WatchScaleResult } from "../scale/watch-scale-measure.js";
import { median } from "../stats.js";
import { SCALE_CLIENT_TEXT, headerLines, selectedClients, writeReport, type ScaleClient } from "./scale-report.js";
import type { Suite, SuiteOptions } from "./types.js";

const WATCHES = 10_000;
const DEFAULT_OUT = fileURLToPath(new URL("../../results/watch-scale.md", import.meta.url));

interface Summary {
  readonly rounds: number;
  readonly failures: string[];
  readonly createMs?: number;
  readonly createCpuMs?: number;
  readonly heapPerWatchBytes?: number;
  readonly heapPerWatchAloneBytes?: number;
  readonly deliveredMin?: number;
  readonly deliverMs?: number;
}

function summarize(results: readonly WatchScaleResult[], failures: string[]): Summary {
  if (results.length === 0) return { rounds: 0, failures };
  const med = (pick: (r: WatchScaleResult) => number) => median(results.map(pick));
  return {
    rounds: results.length,
    failures,
    createMs: med((r) => r.createMs),
    createCpuMs: med((r) => r.createCpuMs),
    heapPerWatchBytes: med((r) => r.heapPerWatchBytes),
    heapPerWatchAloneBytes: med((r) => r.heapPerWatchAloneBytes),
    deliveredMin: Math.min(...results.map((r) => r.delivered)),
    deliverMs: med((r) => r.deliverMs),
  };
}

function ratioCheck(goal: string, a: number | undefined, b: number | undefined, max: number): TargetCheck {
  if (a === undefined || b === undefined) return { goal, measured: undefined, met: undefined, note: "a client has no result" };
  return { goal, measured: `${(a / b).toFixed(2)}×`, met: a / b <= max };
}

/**
 * `pnpm bench watch-scale`: 10,000 watches on distinct keys over one client connection, for
 * etcdkit and the etcd3 npm package: time until all are registered, heap per watch, and delivery
 * of one put per key. Each client runs in its own worker process (with --expose-gc), in
 * interleaved rounds; the table reports medians.
 */
export const watchScaleSuite: Suite = {
  name: "watch-scale",
  description: "10,000 watches on distinct keys: creation time, heap per watch, delivery (etcdkit vs etcd3)",
  defaults: { rounds: 3, warmupMs: 0, durationMs: 0 },
  async run(options: SuiteOptions): Promise<void> {
    const clients = selectedClients(options);
    const loadBefore = load1();
    await using etcd = await acquireEtcd();
    console.error(`etcd ${etcd.version} at ${etcd.url} (${etcd.source}); ${clients.length} clients × ${options.rounds} rounds`);
    const started = performance.now();
    const ok = new Map<ScaleClient, WatchScaleResult[]>(clients.map((c) => [c, []]));
    const failed = new Map<ScaleClient, string[]>(clients.map((c) => [c, []]));
    for (let round = 0; round < options.rounds; round++) {
      for (const client of rotate(clients, round)) {
        await etcd.compact();
        const label = `[round ${round + 1}/${options.rounds}] watch-scale ${client.padEnd(8)}`;
        try {
          const r = await runScaleCell<WatchScaleResult>(
            { kind: "watch-scale", client, url: etcd.url, directUrl: etcd.url, count: WATCHES, ttlSeconds: 0, keyPrefix: `bench/watch-scale/${client}/${round}` },
            180_000,
          );
          ok.get(client)!.push(r);
          console.error(
            `${label} create ${fmtInt(r.createMs)} ms, ${fmtInt(r.heapPerWatchBytes)} B/watch, delivered ${fmtInt(r.delivered)} in ${fmtInt(r.deliverMs)} ms`,
          );
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          failed.get(client)!.push(msg);
          console.error(`${label} FAILED: ${msg}`);
        }
      }
    }
    const elapsedS = (performance.now() - started) / 1000;
    const rows = new Map(clients.map((c) => [c, summarize(ok.get(c)!, failed.get(c)!)]));
    const subject = rows.get("etcdkit");
    const base = rows.get("etcd3");
    const table = markdownTable(
      [
        "client",
        "watches",
        "create all (ms)",
        "create CPU (ms)",
        "heap / watch (B)",
        "of which consumer (B)",
        "events delivered",
        "delivery (ms)",
        "create vs etcd3",
        "heap vs etcd3",
      ],
      clients.map((c) => {
        const s = rows.get(c)!;
        if (s.rounds === 0) return [c, fmtInt(WATCHES), "error", "—", "—", "—", "—", "—", "—", "—"];
        return [
          c,
          fmtInt(WATCHES),
          fmtInt(s.createMs),
          fmtInt(s.createCpuMs),
          fmtInt(s.heapPerWatchBytes),
          fmtInt(s.heapPerWatchBytes! - s.heapPerWatchAloneBytes!),
          fmtInt(s.deliveredMin),
          fmtInt(s.deliverMs),
          fmtRatio(s.createMs, base?.createMs),
          fmtRatio(s.heapPerWatchBytes, base?.heapPerWatchBytes),
        ];
      }),
    );
    const checks: TargetCheck[] = [
      ratioCheck("create 10,000 watches: etcdkit time ≤ 0.5× etcd3", subject?.createMs, base?.createMs, 0.5),
      ratioCheck("heap per watch: etcdkit ≤ 0.5× etcd3", subject?.heapPerWatchBytes, base?.heapPerWatchBytes, 0.5),
      subject?.deliveredMin === undefined
        ? { goal: "after one put per key, etcdkit delivers all 10,000 events", measured: undefined, met: undefined, note: "no etcdkit result" }
        : { goal: "after one put per key, etcdkit delivers all 10,000 events", measured: fmtInt(subject.deliveredMin), met: subject.deliveredMin === WATCHES },
    ];
    const method =
      `each client runs in its own worker process (node --expose-gc) against the same etcd, ${options.rounds} interleaved round(s), medians reported ` +
      `(events delivered: the minimum over rounds). The worker opens one client connection, warms it up with one watch, then creates ${fmtInt(WATCHES)} ` +
      `watches on distinct keys; "create all" runs until etcd has confirmed every watch (etcdkit: every \`watch.ready\`; etcd3: every ` +
      `\`create()\`). Then a consumer is attached to each (etcdkit: a \`for await\` loop per watch, as users write it; etcd3: a "put" listener per ` +
      `watcher). Heap per watch = (V8 heapUsed with watches and consumers − before) / ${fmtInt(WATCHES)}, after forced GCs; "of which consumer" is ` +
      `the part measured after attaching the consumers (for etcdkit, the suspended async function and its pending next()). Then one put per key (64 in flight, over a separate etcdkit connection, ` +
      `the same for both clients) and "delivery" runs until every event has reached its consumer.`;
    const failures = [...failed].flatMap(([c, msgs]) => msgs.map((m) => `- ${c}: ${m.split("\n")[0]}`));
    const body = [
      headerLines(etcd, options, method, elapsedS, [loadBefore, load1()]),
      table,
      `Targets:\n\n${targetLines(checks)}`,
      `Clients:\n\n${clients.map((c) => `- \`${c}\`: ${SCALE_CLIENT_TEXT[c]}`).join("\n")}`,
      ...(failures.length > 0 ? [`Failed cells (excluded from the medians):\n\n${failures.join("\n")}`] : []),
    ].join("\n\n");
    console.log(`\n## Watch scale benchmark\n\n${body}\n`);
    await writeReport(options, DEFAULT_OUT, "Watch scale benchmark", "watch-scale", body);
  },
};
