import { compactNemesis, defragmentNemesis, leaderMoveNemesis, memberReplaceNemesis } from "../nemesis/admin-nemeses.js";
import type { Nemesis } from "../nemesis/nemesis.js";
import type { NemesisTiming } from "../nemesis/nemesis-loop.js";
import { killNemesis, pauseNemesis } from "../nemesis/process-nemeses.js";
import { clientProxyNemesis, isolateClientsNemesis, lagNemesis, partitionNemesis, peerResetNemesis } from "../nemesis/proxy-nemeses.js";

/**
 * Which workloads a scenario runs and how many clients each gets (0 or absent: not run).
 *
 * @example
 * ```ts
 * const workloads: WorkloadMix = { register: 4, append: 2, watch: 3, lease: 2, serializable: 2, lock: 3 };
 * ```
 */
export interface WorkloadMix {
  readonly register?: number;
  readonly serializable?: number;
  readonly append?: number;
  readonly watch?: number;
  readonly lease?: number;
  readonly lock?: number;
}

/**
 * One scenario: a fault mix, the workloads, and the cluster flags.
 *
 * @example
 * ```ts
 * const spec = scenarios.find((s) => s.name === "crash")!;
 * ```
 */
export interface ScenarioSpec {
  readonly name: string;
  readonly description: string;
  readonly nemeses: readonly Nemesis[];
  readonly timing: NemesisTiming;
  readonly workloads: WorkloadMix;
  /** Extra etcd flags (on top of `--pre-vote` and a 1 s watch progress interval). */
  readonly flags?: readonly string[];
  /** Turn auth on (user root) before the traffic starts; clients authenticate. */
  readonly auth?: boolean;
}

const ALL: WorkloadMix = { register: 4, serializable: 2, append: 2, watch: 3, lease: 2, lock: 3 };
const SHORT: NemesisTiming = { quietMs: [500, 2000], faultMs: [1000, 3000] };

/**
 * The scenarios of the fault suite. `pnpm torture --scenario all` runs every one;
 * `boundedScenarios` are the ones `npm test` runs for a few seconds each.
 *
 * @example
 * ```ts
 * for (const spec of scenarios) console.log(spec.name, spec.description);
 * ```
 */
export const scenarios: readonly ScenarioSpec[] = [
  {
    name: "crash",
    description: "SIGKILL a member or the leader, restart it on its data dir",
    nemeses: [killNemesis(false), killNemesis(true)],
    timing: SHORT,
    workloads: ALL,
  },
  {
    name: "pause",
    description: "SIGSTOP a member or the leader, then SIGCONT",
    nemeses: [pauseNemesis(false), pauseNemesis(true)],
    timing: SHORT,
    workloads: ALL,
  },
  {
    name: "client-faults",
    description: "client proxy of one member: blackhole, delay, reset, drop-responses; all clients cut off past lease TTLs",
    nemeses: [
      clientProxyNemesis("blackhole"),
      clientProxyNemesis("delay", 400),
      clientProxyNemesis("reset"),
      clientProxyNemesis("drop-responses"),
      isolateClientsNemesis(),
    ],
    timing: { quietMs: [500, 2000], faultMs: [1000, 4500] },
    workloads: ALL,
  },
  {
    name: "partition",
    description: "a member or the leader cut off from the others both ways, its raft traffic delayed both ways, or its raft connections reset; leader moves",
    nemeses: [partitionNemesis(false), partitionNemesis(true), lagNemesis(200), peerResetNemesis(), leaderMoveNemesis()],
    timing: SHORT,
    workloads: ALL,
  },
  {
    name: "membership",
    description: "member replace (remove, then add a new member with a new data dir), leader moves",
    nemeses: [memberReplaceNemesis(), leaderMoveNemesis()],
    // etcd refuses to remove a member until every peer has been connected for 5 s.
    timing: { quietMs: [3000, 6000], faultMs: [0, 0] },
    workloads: ALL,
  },
  {
    name: "compaction",
    description: "compaction behind the watchers and defragmentation under load, kills",
    nemeses: [compactNemesis(), compactNemesis(), defragmentNemesis(), killNemesis(false)],
    timing: { quietMs: [300, 1500], faultMs: [1000, 2000] },
    workloads: { ...ALL, watch: 4 },
  },
  {
    name: "auth",
    description: "auth on with 2 s tokens (--auth-token-ttl): clients cut off until tokens expire, member kills",
    nemeses: [isolateClientsNemesis(), killNemesis(false)],
    timing: { quietMs: [1000, 3000], faultMs: [2500, 4000] },
    workloads: ALL,
    flags: ["--auth-token-ttl=2"],
    auth: true,
  },
];

/**
 * The scenarios of the bounded run in `npm test`.
 *
 * @example
 * ```ts
 * for (const name of boundedScenarios) await runScenario(scenarioByName(name), { durationMs: 15_000 });
 * ```
 */
export const boundedScenarios: readonly string[] = ["crash", "client-faults", "partition", "compaction"];

/**
 * A scenario by name; throws with the known names for an unknown one.
 *
 * @example
 * ```ts
 * const spec = scenarioByName("pause");
 * ```
 */
export function scenarioByName(name: string): ScenarioSpec {
  const spec = scenarios.find((s) => s.name === name);
  if (spec === undefined) throw new Error(`unknown scenario "${name}"; known: ${scenarios.map((s) => s.name).join(", ")}`);
  return spec;
}
