import { seededRandom, startEtcd } from "@etcdkit/testing";
import { monotonicNow } from "@etcdkit/transport";
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { checkHistory, type CheckHistoryOptions } from "../checkers/check-history.js";
import type { CheckResult } from "../checkers/violation.js";
import { countByKind } from "../checkers/violation.js";
import { groupHistory } from "../history/history.js";
import type { HistorySink } from "../history/history-sink.js";
import { createMemorySink } from "../history/history-sink.js";
import { createRecorder } from "../history/recorder.js";
import { healAll, runNemesisLoop } from "../nemesis/nemesis-loop.js";
import { startTermMonitor } from "../nemesis/term-monitor.js";
import { createAdminClient } from "../sdk/admin-client.js";
import { createSdkClient } from "../sdk/sdk-client.js";
import type { ClientFactory, TortureClient } from "../sdk/torture-client.js";
import { createManagedClient, directEndpoints, pause, proxiedEndpoints, type RunContext } from "./run-context.js";
import type { ScenarioSpec } from "./scenarios.js";
import { startSoakSampler, type SoakSample } from "./soak.js";
import { runAppendWorkload } from "../workloads/append-workload.js";
import { runLeaseWorkload } from "../workloads/lease-workload.js";
import { runLockWorkload } from "../workloads/lock-workload.js";
import { mutualExclusion } from "../checkers/lock-checker.js";
import { startLogCollector } from "../workloads/log-collector.js";
import { runRegisterWorkload, runSerializableWorkload } from "../workloads/register-workload.js";
import { startWatchWorkload } from "../workloads/watch-workload.js";

/**
 * Options of runScenario.
 *
 * @example
 * ```ts
 * const options: RunScenarioOptions = { durationMs: 15_000, seed: 42 };
 * ```
 */
export interface RunScenarioOptions {
  /** How long traffic and faults run (default 15 000). */
  readonly durationMs?: number;
  /** Seed of the workloads' and nemeses' choices (default: random; reported). */
  readonly seed?: number;
  /** Makes the clients under test (default: etcdkit over gRPC). */
  readonly factory?: ClientFactory;
  /** The scenario's name in the report (default: the spec's), e.g. "crash (gateway)". */
  readonly label?: string;
  /**
   * Makes the log collector's and the final read's client (default: `factory`, so the collector
   * exercises the watch under test too: a watch bug then shows up as a hole in the log).
   */
  readonly referenceFactory?: ClientFactory;
  /** Where the history goes (default: memory). */
  readonly sink?: HistorySink;
  readonly check?: CheckHistoryOptions;
  /** How long, after the final read, each open watch may take to deliver up to it (default 20 000). */
  readonly catchUpMs?: number;
  /** Soak sample interval (default 5000). */
  readonly sampleIntervalMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * What one scenario run did and found.
 *
 * @example
 * ```ts
 * const report = await runScenario(scenarioByName("crash"));
 * console.log(report.violations); // {} when every checker passed
 * ```
 */
export interface ScenarioReport {
  readonly scenario: string;
  readonly seed: number;
  readonly durationMs: number;
  /** KV operations and append transactions. */
  readonly operations: number;
  readonly ok: number;
  readonly failed: number;
  /** Writes whose outcome was unknown (open-ended), before the log settled them. */
  readonly unknown: number;
  readonly watches: number;
  readonly watchEvents: number;
  /** Times a watch went on delivering on a new stream (a resume after a reconnect). */
  readonly watchResumes: number;
  readonly leases: number;
  /** Lock acquisitions, and how many overlapped another client's hold (mutual exclusion failed). */
  readonly locks: { readonly acquisitions: number; readonly overlapping: number; readonly worst: number };
  readonly faults: Readonly<Record<string, number>>;
  /** The clients' own counters, summed (calls, retries, authentications, watch and keepalive streams). */
  readonly clientCounters: Readonly<Record<string, number>>;
  readonly checks: readonly CheckResult[];
  /** Violations by kind, over every checker. */
  readonly violations: Readonly<Record<string, number>>;
  /** Checkers that could not decide. */
  readonly undecided: readonly string[];
  readonly samples: readonly SoakSample[];
  /** How long checking took, ms. */
  readonly checkMs: number;
}

const TRAFFIC_FLAGS = ["--pre-vote", "--experimental-watch-progress-notify-interval=1s"];
const AUTH_PASSWORD = "torture-root";

/**
 * Runs one scenario against a fresh 3-member cluster (client and peer proxies): starts the log
 * collector and the workloads, injects faults for `durationMs`, heals, stops the traffic, takes
 * the final read, lets every watch catch up, then checks the whole history.
 *
 * @example
 * ```ts
 * const report = await runScenario(scenarioByName("partition"), { durationMs: 15_000 });
 * ```
 */
export async function runScenario(spec: ScenarioSpec, options: RunScenarioOptions = {}): Promise<ScenarioReport> {
  const durationMs = options.durationMs ?? 15_000;
  const seed = options.seed ?? randomBytes(4).readUInt32LE();
  const log = options.log ?? (() => undefined);
  const sink = options.sink ?? createMemorySink();
  const recorder = createRecorder(sink);
  const auth = spec.auth === true ? { username: "root", password: AUTH_PASSWORD } : undefined;
  const factory: ClientFactory = options.factory ?? ((endpoints, o) => createSdkClient({ endpoints, ...o }));
  const reference = options.referenceFactory ?? factory;
  log(`${spec.name}: seed ${seed}, ${durationMs} ms`);

  await using cluster = await startEtcd({ members: 3, proxy: true, peerProxy: true, flags: [...TRAFFIC_FLAGS, ...(spec.flags ?? [])] });
  const active = [0, 1, 2];
  const admin = createAdminClient({ endpoints: directEndpoints(cluster, active) });
  if (auth !== undefined) await admin.enableAuth(auth.password);
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal); // every waiting worker listens to it
  const membership = { generation: 0 };
  const faults = { active: false, healedAt: 0 };
  const clientCounters: Record<string, number> = {};
  let collectorRevision = (): bigint => 0n;
  const ctx: RunContext = {
    cluster,
    recorder,
    admin,
    random: seededRandom(seed),
    stopping: stopping.signal,
    active,
    membership,
    faults,
    collectorRevision: () => collectorRevision(),
    newClient: (endpoints) =>
      createManagedClient(
        recorder,
        membership,
        () => factory(typeof endpoints === "function" ? endpoints() : (endpoints ?? proxiedEndpoints(cluster, active)), auth ? { auth } : {}),
        Array.isArray(endpoints),
        clientCounters,
      ),
    log,
  };
  // The collector's and the final read's client: members' own URLs, following membership changes.
  const referenceClient = () =>
    createManagedClient(recorder, membership, () => reference(directEndpoints(cluster, active), { ...(auth ? { auth } : {}), followMembership: true }), false);

  const collector = await startLogCollector(ctx, referenceClient());
  collectorRevision = () => collector.revision;
  const stopMonitor = startTermMonitor(ctx);
  const mix = spec.workloads;
  const watchWorkload = mix.watch ? startWatchWorkload(ctx, { clients: mix.watch }, collector) : undefined;
  const workloads = Promise.all([
    mix.register ? runRegisterWorkload(ctx, { clients: mix.register }) : undefined,
    mix.serializable ? runSerializableWorkload(ctx, { clients: mix.serializable }) : undefined,
    mix.append ? runAppendWorkload(ctx, { clients: mix.append }) : undefined,
    mix.lease ? runLeaseWorkload(ctx, { clients: mix.lease }) : undefined,
    mix.lock ? runLockWorkload(ctx, { clients: mix.lock }) : undefined,
    watchWorkload?.done,
  ]);

  // Samples during the traffic only (the first one after the clients connected).
  const soak = startSoakSampler(options.sampleIntervalMs ?? 5000, () => !faults.active && monotonicNow() - faults.healedAt > 1000);
  ctx.onQuiet = () => soak.sampleNow();
  const nemesisStop = new AbortController();
  const nemesis = runNemesisLoop(ctx, spec.nemeses, spec.timing, nemesisStop.signal);
  await pause(durationMs);
  const samples = soak.stop();
  nemesisStop.abort();
  const injected = await nemesis;
  await healAll(ctx);
  await cluster.waitHealthy(undefined, 30_000).catch((err: unknown) => log(`${spec.name}: cluster not healthy after healing: ${String(err)}`));
  stopping.abort();
  await workloads;

  // The final read, then every watch catches up to it.
  const reader = referenceClient();
  const final = await finalRead(await reader.current());
  await reader.close();
  recorder.write(final);
  if (!(await collector.reach(final.revision, 30_000))) log(`${spec.name}: the log collector did not reach revision ${final.revision}`);
  await watchWorkload?.finish(final.revision, options.catchUpMs);
  await collector.stop(final.revision);
  await stopMonitor();
  await admin.close();
  await cluster.stop();

  const started = monotonicNow();
  const history = groupHistory(await sink.load());
  await sink.close();
  const { results } = checkHistory(history, options.check);
  const checkMs = monotonicNow() - started;
  const stats = recorder.stats;
  const report: ScenarioReport = {
    scenario: options.label ?? spec.name,
    seed,
    durationMs,
    operations: stats.operations,
    ok: stats.ok,
    failed: stats.failed,
    unknown: stats.unknown,
    watches: history.watches.length,
    watchEvents: history.watches.reduce((n, w) => n + w.batches.reduce((m, b) => m + b.events.length, 0), 0),
    watchResumes: history.watches.reduce((n, w) => n + w.batches.filter((b, i) => i > 0 && b.stream !== w.batches[i - 1]!.stream).length, 0),
    leases: history.leases.length,
    locks: mutualExclusion(history.locks),
    faults: injected,
    clientCounters,
    checks: results,
    violations: countByKind(results.flatMap((r) => r.violations)),
    undecided: results.filter((r) => r.status === "unknown").map((r) => r.checker),
    samples,
    checkMs,
  };
  log(`${spec.name}: ${report.operations} operations, faults ${JSON.stringify(injected)}, violations ${JSON.stringify(report.violations)}`);
  return report;
}

async function finalRead(client: TortureClient) {
  for (let attempt = 1; ; attempt++) {
    try {
      const { revision, kvs } = await client.readPrefix("", { timeoutMs: 10_000 });
      return { type: "final" as const, at: monotonicNow(), revision, kvs };
    } catch (err) {
      if (attempt >= 5) throw err;
      await pause(1000);
    }
  }
}
