import type { ProxyMode } from "@etcdkit/testing";
import { findLeader } from "./term-monitor.js";
import { memberName, pickMember, type Nemesis } from "./nemesis.js";

/**
 * Puts one member's client proxy in `mode` (blackhole, delay, reset, drop-responses), healed by
 * going back to pass: the clients lose, stall on, or never hear back from one member.
 *
 * @example
 * ```ts
 * const nemesis = clientProxyNemesis("drop-responses");
 * ```
 */
export function clientProxyNemesis(mode: Exclude<ProxyMode, "pass">, delayMs = 300): Nemesis {
  return {
    name: `client-${mode}`,
    async inject(ctx) {
      const i = pickMember(ctx);
      const proxy = i === undefined ? undefined : ctx.cluster.members[i]!.proxy;
      if (i === undefined || proxy === undefined) return undefined;
      proxy.setMode(mode, { delayMs });
      return { target: memberName(ctx, i), heal: async () => proxy.setMode("pass") };
    },
  };
}

/**
 * Blackholes every member's client proxy at once, so no client reaches etcd for the fault's
 * duration (leases run past their deadline, auth tokens expire), healed by pass.
 *
 * @example
 * ```ts
 * const nemesis = isolateClientsNemesis();
 * ```
 */
export function isolateClientsNemesis(): Nemesis {
  return {
    name: "client-isolation",
    async inject(ctx) {
      const proxies = ctx.active.map((i) => ctx.cluster.members[i]!.proxy).filter((p) => p !== undefined);
      for (const p of proxies) p.setMode("blackhole");
      return {
        target: "all clients",
        heal: async () => {
          for (const p of proxies) p.setMode("pass");
        },
      };
    },
  };
}

/**
 * Partitions a member (the leader when `leader`) from the others by blackholing the peer proxy
 * in front of its raft port, healed by pass. Run the cluster with `--pre-vote`.
 *
 * @example
 * ```ts
 * const nemesis = partitionNemesis(true);
 * ```
 */
export function partitionNemesis(leader: boolean): Nemesis {
  return {
    name: leader ? "partition-leader" : "partition",
    async inject(ctx) {
      const i = leader ? await findLeader(ctx) : pickMember(ctx);
      const proxy = i === undefined ? undefined : ctx.cluster.members[i]!.peerProxy;
      if (i === undefined || proxy === undefined) return undefined;
      proxy.setMode("blackhole");
      return { target: memberName(ctx, i), heal: async () => proxy.setMode("pass") };
    },
  };
}

/**
 * Delays the raft traffic into one member, so it lags behind, healed by pass.
 *
 * @example
 * ```ts
 * const nemesis = lagNemesis(200);
 * ```
 */
export function lagNemesis(delayMs = 200): Nemesis {
  return {
    name: "peer-delay",
    async inject(ctx) {
      const i = pickMember(ctx);
      const proxy = i === undefined ? undefined : ctx.cluster.members[i]!.peerProxy;
      if (i === undefined || proxy === undefined) return undefined;
      proxy.setMode("delay", { delayMs });
      return { target: memberName(ctx, i), heal: async () => proxy.setMode("pass") };
    },
  };
}
