import { fileURLToPath } from "node:url";
import type { ConcurrencyClient, ConcurrencyKind, ConcurrencySpec, HandoffResult, LatencyResult, UncontendedResult } from "../concurrency/spec.js";
import { acquireEtcd } from "../etcd.js";
import { load1 } from "../machine.js";
import { fmtInt, fmtRatio, fmtUs, markdownTable, targetLines, type TargetCheck } from "../report.js";
import { rotate } from "../rounds.js";
import { median } from "../stats.js";
import { runWorkerProcess } from "../worker-process.js";
import { headerLines, writeReport } from "./scale-report.js";
import type { Suite, SuiteOptions } from "./types.js";

const WORKER = fileURLToPath(new URL("../concurrency/worker.ts", import.meta.url));
const DEFAULT_OUT = fileURLToPath(new URL("../../results/concurrency.md", import.meta.url));
const WAITERS = 16;
const HANDOFFS = 200;
const RESIGNS = 30;
const CRASHES = 3;
const CRASH_TTL_SECONDS = 2;

const CLIENT_TEXT: Record<ConcurrencyClient, string> = {
  etcdkit: "`@etcdkit/concurrency` on `createTransport({ endpoints: [url] })`: `createSession`, `createMutex(...).lock()` / `held.unlock()`, `createElection(...)`",
  server: "etcd's server-side lock and election services (`v3lockpb` / `v3electionpb`) through `createLockService` / `createElectionService` on the same transport, with a lease granted once",
  etcd3: "the etcd3 npm package 1.1.2: `client.lock(key).ttl(30)` then `acquire()` / `release()` (a lease per lock; its lock does not wait: it fails at once when held)",
};

let cellCounter = 0;

function spec(kind: ConcurrencyKind, client: ConcurrencyClient, url: string, options: SuiteOptions, samples = 0): ConcurrencySpec {
  cellCounter++;
  return {
    kind,
    client,
    url,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    waiters: WAITERS,
    samples,
    ttlSeconds: CRASH_TTL_SECONDS,
    name: `bench-concurrency/${process.pid}/${kind}-${client}-${cellCounter}`,
  };
}

function selected(options: SuiteOptions, all: readonly ConcurrencyClient[]): ConcurrencyClient[] {
  return all.filter((c) => options.clients === undefined || options.clients.includes(c));
}

function wanted(options: SuiteOptions, workload: string): boolean {
  return options.workloads === undefined || options.workloads.includes(workload);
}

const latencyCells = (r: readonly LatencyResult[]): { p50: number; p99: number; max: number } => ({
  p50: median(r.map((x) => x.p50Ms)),
  p99: median(r.map((x) => x.p99Ms)),
  max: Math.max(...r.map((x) => x.maxMs)),
});

const ms = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? "—" : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : fmtInt(n));

/**
 * `pnpm bench concurrency`: locks and elections side by side in one run against the same etcd —
 * uncontended lock + unlock (requests and ops/s) for etcdkit, etcd's server-side lock service and
 * etcd3; lock hand-off latency with 16 waiters against one watch event's latency; election
 * failover after a resign and after a crash. Every cell runs in its own worker process.
 */
export const concurrencySuite: Suite = {
  name: "concurrency",
  description: "locks and elections: uncontended lock+unlock vs etcd3 and the server lock, hand-off with 16 waiters, election failover",
  defaults: { rounds: 3, warmupMs: 2_000, durationMs: 3_000 },
  async run(options: SuiteOptions): Promise<void> {
    const loadBefore = load1();
    await using etcd = await acquireEtcd();
    const url = etcd.url;
    console.error(`etcd ${etcd.version} at ${url} (${etcd.source}); ${options.rounds} rounds`);
    const started = performance.now();
    const failures: string[] = [];
    const run = async <R>(label: string, cell: ConcurrencySpec, limitMs: number): Promise<R | undefined> => {
      try {
        const result = await runWorkerProcess<R>(label, WORKER, cell, limitMs);
        console.error(`${label}: ${JSON.stringify(result)}`);
        return result;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        failures.push(`- ${label}: ${message.split("\n")[0]}`);
        console.error(`${label} FAILED: ${message}`);
        return undefined;
      } finally {
        await etcd.compact();
      }
    };

    const lockClients = selected(options, ["etcdkit", "server", "etcd3"]);
    const waitClients = selected(options, ["etcdkit", "server"]);
    const uncontended = new Map<ConcurrencyClient, UncontendedResult[]>(lockClients.map((c) => [c, []]));
    const handoff = new Map<ConcurrencyClient, HandoffResult[]>(waitClients.map((c) => [c, []]));
    const resign = new Map<ConcurrencyClient, LatencyResult[]>(waitClients.map((c) => [c, []]));
    const crash = new Map<ConcurrencyClient, LatencyResult[]>(waitClients.map((c) => [c, []]));
    const watchLatency: LatencyResult[] = [];

    for (let round = 0; round < options.rounds; round++) {
      const tag = `[round ${round + 1}/${options.rounds}]`;
      if (wanted(options, "uncontended")) {
        for (const client of rotate(lockClients, round)) {
          const r = await run<UncontendedResult>(`${tag} uncontended ${client}`, spec("uncontended", client, url, options), 120_000);
          if (r !== undefined) uncontended.get(client)!.push(r);
        }
      }
      if (wanted(options, "handoff")) {
        const w = await run<LatencyResult>(`${tag} watch event latency`, spec("watch-latency", "etcdkit", url, options, HANDOFFS), 120_000);
        if (w !== undefined) watchLatency.push(w);
        for (const client of rotate(waitClients, round)) {
          const r = await run<HandoffResult>(`${tag} hand-off ${client}`, spec("handoff", client, url, options, HANDOFFS), 180_000);
          if (r !== undefined) handoff.get(client)!.push(r);
        }
      }
      if (wanted(options, "failover")) {
        for (const client of rotate(waitClients, round)) {
          const r = await run<LatencyResult>(`${tag} resign failover ${client}`, spec("failover-resign", client, url, options, RESIGNS), 120_000);
          if (r !== undefined) resign.get(client)!.push(r);
        }
      }
    }
    if (wanted(options, "failover")) {
      for (const client of waitClients) {
        const r = await run<LatencyResult>(`crash failover ${client}`, spec("failover-crash", client, url, options, CRASHES), 120_000);
        if (r !== undefined) crash.get(client)!.push(r);
      }
    }
    const elapsedS = (performance.now() - started) / 1000;

    const sections: string[] = [];
    const checks: TargetCheck[] = [];
    const u = (c: ConcurrencyClient, f: (r: UncontendedResult) => number): number | undefined => {
      const rs = uncontended.get(c) ?? [];
      return rs.length === 0 ? undefined : median(rs.map(f));
    };
    if (wanted(options, "uncontended")) {
      sections.push(
        `Uncontended lock + unlock (one client, one lock, in a loop; medians of ${options.rounds} rounds):\n\n` +
          markdownTable(
            ["client", "requests before acquired", "requests per lock + unlock", "lock + unlock / s", "vs etcd3", "lock p50 µs", "lock p99 µs", "client CPU µs / cycle"],
            lockClients.map((c) => [
              c,
              fmtInt(u(c, (r) => r.requestsToAcquire)),
              fmtInt(u(c, (r) => r.requestsPerCycle)),
              fmtInt(u(c, (r) => r.opsPerSec)),
              fmtRatio(u(c, (r) => r.opsPerSec), u("etcd3", (r) => r.opsPerSec)),
              fmtUs(u(c, (r) => r.lockP50Us)),
              fmtUs(u(c, (r) => r.lockP99Us)),
              fmtUs(u(c, (r) => r.cpuUsPerCycle)),
            ]),
          ),
      );
      const mine = u("etcdkit", (r) => r.requestsToAcquire);
      const theirs = u("etcd3", (r) => r.requestsToAcquire);
      checks.push(
        mine === undefined
          ? { goal: "uncontended lock in 1 round trip", measured: undefined, met: undefined, note: "no etcdkit result" }
          : { goal: "uncontended lock in 1 round trip", measured: `${mine} request(s)`, met: mine === 1 },
        theirs === undefined
          ? { goal: "etcd3 needs ≥ 2 (a lease grant per lock)", measured: undefined, met: undefined, note: "no etcd3 result" }
          : { goal: "etcd3 needs ≥ 2 (a lease grant per lock)", measured: `${theirs} request(s)`, met: theirs >= 2 },
      );
    }
    if (wanted(options, "handoff")) {
      const idle = watchLatency.length === 0 ? undefined : latencyCells(watchLatency);
      const rows = waitClients.map((c) => {
        const rs = handoff.get(c)!;
        if (rs.length === 0) return [c, "error", "—", "—", "—", "—", "—", "—"];
        const l = latencyCells(rs);
        const e = latencyCells(rs.map((r) => r.event));
        const a = latencyCells(rs.map((r) => r.afterEvent));
        return [c, ms(l.p50), ms(l.p99), ms(l.max), ms(e.p50), ms(e.p99), ms(a.p50), fmtRatio(l.p50, e.p50)];
      });
      rows.push(["one watch event in a run of its own (put in one process → event in another; 2 processes)", ms(idle?.p50), ms(idle?.p99), ms(idle?.max), "—", "—", "—", "—"]);
      sections.push(
        `Lock hand-off with ${WAITERS} waiters (unlock call → the next holder's lock resolves; ${HANDOFFS} hand-offs per round, medians of the rounds' percentiles; max over all). ` +
          `The baseline is the watch event a hand-off waits for, timed in the same run: the unlock call → that unlock's delete event at a passive watcher in another process ` +
          `(same start point, same etcd, same load); "after the event" is, per hand-off, the next holder's lock resolving − that event's arrival at the passive watcher. ` +
          `The last row, a watch event timed in a run of its own on a less loaded machine, is context only:\n\n` +
          markdownTable(["client", "hand-off p50 ms", "hand-off p99 ms", "hand-off max ms", "its delete event p50 ms", "its delete event p99 ms", "after the event p50 ms", "hand-off p50 vs event p50"], rows),
      );
      const mine = handoff.get("etcdkit") ?? [];
      const goal = "hand-off p50 within 1.5× one watch event's latency (the unlock's delete event, same run)";
      if (mine.length === 0) checks.push({ goal, measured: undefined, met: undefined, note: "not measured" });
      else {
        const handoffP50 = latencyCells(mine).p50;
        const eventP50 = latencyCells(mine.map((r) => r.event)).p50;
        checks.push({ goal, measured: fmtRatio(handoffP50, eventP50), met: handoffP50 <= 1.5 * eventP50 });
      }
    }
    if (wanted(options, "failover")) {
      sections.push(
        `Election failover (two candidates; resign: the leader's resign call → the other's campaign resolves, ${RESIGNS} per round; crash: the leader stops renewing its lease (TTL ${CRASH_TTL_SECONDS} s) → the other leads, ${CRASHES} times):\n\n` +
          markdownTable(
            ["client", "resign p50 ms", "resign p99 ms", "crash p50 ms", "crash max ms"],
            waitClients.map((c) => {
              const r = resign.get(c)!;
              const k = crash.get(c)!;
              const rl = r.length === 0 ? undefined : latencyCells(r);
              const kl = k.length === 0 ? undefined : latencyCells(k);
              return [c, ms(rl?.p50), ms(rl?.p99), ms(kl?.p50), ms(kl?.max)];
            }),
          ),
      );
    }
    const method =
      `every cell runs in its own worker process against the same etcd, ${options.rounds} interleaved round(s) with the client order rotated. ` +
      `Requests are HTTP/2 streams counted by a TCP proxy in the worker over 20 lock + unlock cycles (after a first one that also opens the connection's long-lived streams); ` +
      `the timed loops then go straight to etcd (${options.warmupMs / 1000} s warm-up, ${options.durationMs / 1000} s measured). Client CPU = process.cpuUsage() over the measured loop.`;
    const body = [
      headerLines(etcd, options, method, elapsedS, [loadBefore, load1()]),
      ...sections,
      `Targets:\n\n${targetLines(checks)}`,
      `Clients:\n\n${(["etcdkit", "server", "etcd3"] as const).map((c) => `- \`${c}\`: ${CLIENT_TEXT[c]}`).join("\n")}`,
      ...(failures.length > 0 ? [`Failed cells (excluded):\n\n${failures.join("\n")}`] : []),
    ].join("\n\n");
    console.log(`\n## Concurrency benchmark\n\n${body}\n`);
    await writeReport(options, DEFAULT_OUT, "Concurrency benchmark", "concurrency", body);
  },
};
