import { findLeader } from "./term-monitor.js";
import { memberName, pickMember, type Nemesis } from "./nemesis.js";

/**
 * SIGKILL a member (the leader when `leader`), healed by restarting it on its data dir.
 *
 * @example
 * ```ts
 * const nemeses = [killNemesis(false), killNemesis(true)];
 * ```
 */
export function killNemesis(leader: boolean): Nemesis {
  return {
    name: leader ? "kill-leader" : "kill",
    async inject(ctx) {
      const i = leader ? await findLeader(ctx) : pickMember(ctx);
      if (i === undefined) return undefined;
      await ctx.cluster.kill(i);
      return { target: memberName(ctx, i), heal: () => ctx.cluster.restart(i) };
    },
  };
}

/**
 * SIGSTOP a member (the leader when `leader`), healed by SIGCONT.
 *
 * @example
 * ```ts
 * const nemesis = pauseNemesis(true);
 * ```
 */
export function pauseNemesis(leader: boolean): Nemesis {
  return {
    name: leader ? "pause-leader" : "pause",
    async inject(ctx) {
      const i = leader ? await findLeader(ctx) : pickMember(ctx);
      if (i === undefined) return undefined;
      ctx.cluster.pause(i);
      return { target: memberName(ctx, i), heal: async () => ctx.cluster.resume(i) };
    },
  };
}
