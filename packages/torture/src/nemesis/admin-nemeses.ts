import { directEndpoints, pause } from "../scenario/run-context.js";
import { findLeader } from "./term-monitor.js";
import { memberName, pickMember, type Nemesis } from "./nemesis.js";

/**
 * Moves leadership from the leader to another member (MoveLeader). One-shot.
 *
 * @example
 * ```ts
 * const nemesis = leaderMoveNemesis();
 * ```
 */
export function leaderMoveNemesis(): Nemesis {
  return {
    name: "leader-move",
    async inject(ctx) {
      const leader = await findLeader(ctx);
      if (leader === undefined) return undefined;
      const others = ctx.active.filter((i) => i !== leader && ctx.cluster.members[i]!.running && !ctx.cluster.members[i]!.paused);
      const target = pickMember(ctx, others);
      if (target === undefined) return undefined;
      const { memberId } = await ctx.admin.status(ctx.cluster.members[target]!.clientUrl);
      await ctx.admin.moveLeader(ctx.cluster.members[leader]!.clientUrl, memberId);
      return { target: `${memberName(ctx, leader)} -> ${memberName(ctx, target)}` };
    },
  };
}

/**
 * Replaces a member that is not the leader: MemberRemove (sent to the other members; the removed
 * member shuts down), then MemberAdd of a new member with a new data dir, which is started and
 * joins. Clients made afterwards use the new membership. One-shot.
 *
 * @example
 * ```ts
 * const nemesis = memberReplaceNemesis();
 * ```
 */
export function memberReplaceNemesis(): Nemesis {
  return {
    name: "member-replace",
    async inject(ctx) {
      if (ctx.active.length < 3) return undefined;
      await step("wait healthy", () => ctx.cluster.waitHealthy(undefined, 10_000));
      const leader = await findLeader(ctx);
      const i = pickMember(ctx, ctx.active.filter((m) => m !== leader));
      if (i === undefined || leader === undefined) return undefined;
      const old = ctx.cluster.members[i]!;
      const others = ctx.active.filter((m) => m !== i);
      await ctx.admin.setEndpoints(directEndpoints(ctx.cluster, others));
      const id = await step("member list", () => ctx.admin.memberIdByPeerUrl(old.peerUrl));
      if (id === undefined) return undefined;
      await step("member remove", () => retryAmbiguous(() => ctx.admin.memberRemove(id), ["member-not-found"]));
      ctx.active.splice(ctx.active.indexOf(i), 1);
      ctx.membership.generation++;
      await ctx.cluster.kill(i);
      const pending = await ctx.cluster.addMember();
      await step("member add", () => retryAmbiguous(() => ctx.admin.memberAdd(pending.peerUrl), ["peer-url-exists"]));
      const added = await step("start new member", () => pending.start());
      ctx.active.push(added.index);
      ctx.membership.generation++;
      await ctx.admin.setEndpoints(directEndpoints(ctx.cluster, ctx.active));
      return { target: `${old.name} -> ${added.name}` };
    },
  };
}

/**
 * Runs a membership change again after an ambiguous failure (a deadline, a lost connection);
 * `done` are the reasons that mean an earlier attempt took effect.
 */
async function retryAmbiguous(run: () => Promise<void>, done: readonly string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? "";
      if (attempt > 1 && done.includes(reason)) return;
      if (attempt >= 4 || !["deadline-exceeded", "unavailable", "outcome-unknown", "timeout", "leader-changed", "stopped", "unhealthy"].includes(reason)) throw err;
      await pause(1000 * attempt);
    }
  }
}

/** Runs one step of a nemesis; a failure names the step. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * Compacts the store (physically) a little behind what the log collector has delivered, so
 * watches that start from older revisions meet "compacted". One-shot.
 *
 * @example
 * ```ts
 * const nemesis = compactNemesis();
 * ```
 */
export function compactNemesis(behind = 20n): Nemesis {
  return {
    name: "compact",
    async inject(ctx) {
      const revision = ctx.collectorRevision() - behind;
      if (revision < 2n) return undefined;
      await ctx.admin.compact(revision);
      return { target: `revision ${revision}`, revision };
    },
  };
}

/**
 * Defragments one member while traffic goes on (it blocks that member's reads and writes while
 * it runs). One-shot.
 *
 * @example
 * ```ts
 * const nemesis = defragmentNemesis();
 * ```
 */
export function defragmentNemesis(): Nemesis {
  return {
    name: "defragment",
    async inject(ctx) {
      const i = pickMember(ctx, ctx.active.filter((m) => ctx.cluster.members[m]!.running && !ctx.cluster.members[m]!.paused));
      if (i === undefined) return undefined;
      await ctx.admin.defragment(ctx.cluster.members[i]!.clientUrl);
      return { target: memberName(ctx, i) };
    },
  };
}
