import { monotonicNow } from "@etcdkit/transport";
import { directEndpoints, pause, type RunContext } from "../scenario/run-context.js";

/**
 * Polls every active member's Status (directly, not through the fault proxies) every
 * `intervalMs` and records the highest raft term and whether any member that answered is leader,
 * whenever either changes: the leaderless periods and leader changes the lease checker allows for.
 * Returns a function that stops it.
 *
 * @example
 * ```ts
 * const stop = startTermMonitor(ctx);
 * await stop();
 * ```
 */
export function startTermMonitor(ctx: RunContext, intervalMs = 300): () => Promise<void> {
  const stop = new AbortController();
  let term = -1n;
  let leader = true;
  let prev = monotonicNow();
  const loop = (async () => {
    while (!stop.signal.aborted) {
      const urls = directEndpoints(ctx.cluster, ctx.active);
      const statuses = await Promise.all(urls.map((url) => ctx.admin.status(url, 1000).catch(() => undefined)));
      const at = monotonicNow();
      let max = -1n;
      let hasLeader = false;
      for (const s of statuses) {
        if (s === undefined) continue;
        if (s.raftTerm > max) max = s.raftTerm;
        if (s.isLeader) hasLeader = true;
      }
      if (max > term || hasLeader !== leader) {
        if (max > term) term = max;
        leader = hasLeader;
        ctx.recorder.write({ type: "term", at, prev, term, leader: hasLeader });
      }
      prev = at;
      await pause(intervalMs, stop.signal);
    }
  })();
  return async () => {
    stop.abort();
    await loop;
  };
}

/**
 * The index (in `cluster.members`) of the active member that is leader now, or undefined.
 *
 * @example
 * ```ts
 * const leader = await findLeader(ctx);
 * ```
 */
export async function findLeader(ctx: RunContext): Promise<number | undefined> {
  const found = await Promise.all(
    ctx.active.map(async (i) => {
      const member = ctx.cluster.members[i]!;
      if (!member.running || member.paused) return undefined;
      const s = await ctx.admin.status(member.clientUrl, 1000).catch(() => undefined);
      return s?.isLeader ? i : undefined;
    }),
  );
  return found.find((i) => i !== undefined);
}
