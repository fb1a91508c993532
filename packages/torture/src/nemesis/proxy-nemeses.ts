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
 * Cuts a member (the leader when `leader`) off from the others, both ways (`cluster.isolate`: its
 * raft connections held at every peer proxy), healed by `cluster.heal`. The majority keeps
 * committing while the isolated member applies nothing, so its serializable reads go stale; an
 * isolated leader steps down. Needs `peerProxy: true` and `--pre-vote`.
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
      if (i === undefined || ctx.cluster.members[i]!.peerProxy === undefined) return undefined;
      await ctx.cluster.isolate(i);
      return { target: memberName(ctx, i), heal: () => ctx.cluster.heal(i) };
    },
  };
}

/**
 * Delays every raft message into and out of one member by `delayMs` (`cluster.lag`), so it lags
 * behind the others, healed by `cluster.heal`. Needs `peerProxy: true`.
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
      if (i === undefined || ctx.cluster.members[i]!.peerProxy === undefined) return undefined;
      await ctx.cluster.lag(i, delayMs);
      return { target: memberName(ctx, i), heal: () => ctx.cluster.heal(i) };
    },
  };
}

/**
 * Resets the raft connections into one member (its peer proxy: RST on the open ones, and every
 * new one reset at once), healed by pass: the others' streams to it break and are dialed again,
 * and messages in flight on them are lost. Needs `peerProxy: true`.
 *
 * @example
 * ```ts
 * const nemesis = peerResetNemesis();
 * ```
 */
export function peerResetNemesis(): Nemesis {
  return {
    name: "peer-reset",
    async inject(ctx) {
      const i = pickMember(ctx);
      const proxy = i === undefined ? undefined : ctx.cluster.members[i]!.peerProxy;
      if (i === undefined || proxy === undefined) return undefined;
      proxy.setMode("reset");
      return { target: memberName(ctx, i), heal: async () => proxy.setMode("pass") };
    },
  };
}
