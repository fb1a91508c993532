import { fileURLToPath } from "node:url";
import { createTcpProxy } from "@etcdkit/testing";
import { acquireEtcd } from "../etcd.js";
import { load1 } from "../machine.js";
import { fmtInt, fmtRatio, fmtUs, markdownTable, targetLines, type TargetCheck } from "../report.js";
import { rotate } from "../rounds.js";
import type { LeaseScaleResult } from "../scale/lease-scale-measure.js";
import { runScaleCell } from "../scale/scale-cell.js";
import { median } from "../stats.js";
import { SCALE_CLIENT_TEXT, headerLines, selectedClients, writeReport, type ScaleClient } from "./scale-report.js";
import type { Suite, SuiteOptions } from "./types.js";

const LEASES = 1_000;
const TTL_SECONDS = 3;
const DEFAULT_OUT = fileURLToPath(new URL("../../results/lease-scale.md", import.meta.url));

/** One cell: the worker's numbers plus the keepalive streams the proxy saw. */
interface Cell extends LeaseScaleResult {
  readonly keepAliveStreams: number;
}

interface Summary {
  readonly rounds: number;
  readonly cpuMs?: number;
  readonly renewals?: number;
  readonly lostMax?: number;
  readonly missingMax?: number;
  readonly streamsMax?: number;
}

function summarize(cells: readonly Cell[]): Summary {
  if (cells.length === 0) return { rounds: 0 };
  return {
    rounds: cells.length,
    cpuMs: median(cells.map((c) => c.cpuMs)),
    renewals: median(cells.map((c) => c.renewals)),
    lostMax: Math.max(...cells.map((c) => c.lostByClient)),
    missingMax: Math.max(...cells.map((c) => c.missingOnServer)),
    streamsMax: Math.max(...cells.map((c) => c.keepAliveStreams)),
  };
}

/**
 * `pnpm bench lease-scale`: 1,000 leases (TTL 3 s) kept alive for 3× their TTL by etcdkit and by
 * the etcd3 npm package: leases lost (as the client saw it and as etcd has it), keepalive streams
 * (counted by a TCP proxy in this process), and client CPU in the keepalive window.
 */
export const leaseScaleSuite: Suite = {
  name: "lease-scale",
  description: "1,000 leases kept alive for 3× their TTL: lost leases, keepalive streams, client CPU (etcdkit vs etcd3)",
  defaults: { rounds: 2, warmupMs: 0, durationMs: 0 },
  async run(options: SuiteOptions): Promise<void> {
    const clients = selectedClients(options);
    const loadBefore = load1();
    await using etcd = await acquireEtcd();
    const target = new URL(etcd.url);
    console.error(`etcd ${etcd.version} at ${etcd.url} (${etcd.source}); ${clients.length} clients × ${options.rounds} rounds`);
    const started = performance.now();
    const cells = new Map<ScaleClient, Cell[]>(clients.map((c) => [c, []]));
    const failures: string[] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const client of rotate(clients, round)) {
        const label = `[round ${round + 1}/${options.rounds}] lease-scale ${client.padEnd(8)}`;
        await using proxy = await createTcpProxy({ host: target.hostname, port: Number(target.port) });
        let streams = 0;
        try {
          const r = await runScaleCell<LeaseScaleResult>(
            { kind: "lease-scale", client, url: proxy.url, directUrl: etcd.url, count: LEASES, ttlSeconds: TTL_SECONDS, keyPrefix: "" },
            120_000,
            (phase) => {
              if (phase === "keepalive") proxy.resetStats();
              if (phase === "done") streams = proxy.stats.http2Streams;
            },
          );
          cells.get(client)!.push({ ...r, keepAliveStreams: streams });
          console.error(
            `${label} lost ${r.lostByClient}/${r.missingOnServer} (client/etcd), ${streams} streams, ${fmtInt(r.renewals)} renewals, CPU ${fmtInt(r.cpuMs)} ms`,
          );
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          failures.push(`- ${client}: ${msg.split("\n")[0]}`);
          console.error(`${label} FAILED: ${msg}`);
        }
      }
    }
    const elapsedS = (performance.now() - started) / 1000;
    const rows = new Map(clients.map((c) => [c, summarize(cells.get(c)!)]));
    const windowS = 3 * TTL_SECONDS;
    const base = rows.get("etcd3");
    const table = markdownTable(
      ["client", "leases", "kept alive", "lost (client)", "missing on etcd", "keepalive streams", "renewals", "client CPU (ms)", "CPU % of a core", "CPU µs / renewal", "CPU vs etcd3"],
      clients.map((c) => {
        const s = rows.get(c)!;
        if (s.rounds === 0) return [c, fmtInt(LEASES), `${windowS} s`, "error", "—", "—", "—", "—", "—", "—", "—"];
        return [
          c,
          fmtInt(LEASES),
          `${windowS} s (3× TTL ${TTL_SECONDS} s)`,
          fmtInt(s.lostMax),
          fmtInt(s.missingMax),
          fmtInt(s.streamsMax),
          fmtInt(s.renewals),
          fmtInt(s.cpuMs),
          `${((s.cpuMs! / (windowS * 1000)) * 100).toFixed(1)} %`,
          fmtUs((s.cpuMs! * 1000) / s.renewals!),
          fmtRatio(s.cpuMs, base?.cpuMs),
        ];
      }),
    );
    const subject = rows.get("etcdkit");
    const measured = subject !== undefined && subject.rounds > 0;
    const checks: TargetCheck[] = [
      measured
        ? { goal: "1,000 leases kept alive for 3× TTL: etcdkit loses none (client and etcd)", measured: `${subject.lostMax} / ${subject.missingMax}`, met: subject.lostMax === 0 && subject.missingMax === 0 }
        : { goal: "1,000 leases kept alive for 3× TTL: etcdkit loses none", measured: undefined, met: undefined, note: "no etcdkit result" },
      measured
        ? { goal: "etcdkit keeps all of them alive on one stream", measured: fmtInt(subject.streamsMax), met: subject.streamsMax === 1 }
        : { goal: "etcdkit keeps all of them alive on one stream", measured: undefined, met: undefined, note: "no etcdkit result" },
    ];
    const method =
      `each client runs in its own worker process against the same etcd, ${options.rounds} interleaved round(s); CPU and renewals are medians, ` +
      `lost / missing / streams the maximum over rounds. The worker grants ${fmtInt(LEASES)} leases of ${TTL_SECONDS} s (32 grants in flight), then keeps ` +
      `every one alive for ${windowS} s (etcd3: leases made with autoKeepAlive off, then the keepalive autoKeepAlive would start, so both clients start ` +
      `at the same moment). Client CPU = the worker's process.cpuUsage() (user + system) over the keepalive window. "lost (client)": leases the client ` +
      `reported lost; "missing on etcd": granted leases absent from LeaseLeases after the window (over a separate connection). "keepalive streams": HTTP/2 ` +
      `streams the client opened during the window, counted by a TCP proxy in the parent process in front of etcd.`;
    const body = [
      headerLines(etcd, options, method, elapsedS, [loadBefore, load1()]),
      table,
      `Targets:\n\n${targetLines(checks)}`,
      `Clients:\n\n${clients.map((c) => `- \`${c}\`: ${SCALE_CLIENT_TEXT[c]}`).join("\n")}`,
      ...(failures.length > 0 ? [`Failed cells (excluded):\n\n${failures.join("\n")}`] : []),
    ].join("\n\n");
    console.log(`\n## Lease scale benchmark\n\n${body}\n`);
    await writeReport(options, DEFAULT_OUT, "Lease scale benchmark", "lease-scale", body);
  },
};
