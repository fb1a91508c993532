import { monotonicNow } from "@etcdkit/transport";
import { pause, type RunContext } from "../scenario/run-context.js";
import type { Nemesis } from "./nemesis.js";

/**
 * Timing of the nemesis: a quiet interval, then one fault for a while, healed, and again.
 *
 * @example
 * ```ts
 * const timing: NemesisTiming = { quietMs: [1000, 3000], faultMs: [1000, 4000] };
 * ```
 */
export interface NemesisTiming {
  readonly quietMs: readonly [number, number];
  readonly faultMs: readonly [number, number];
}

/**
 * Injects faults one at a time (so a majority of members is always up) until `signal` aborts:
 * waits a quiet interval, picks a nemesis at random, injects, waits, heals, and records the
 * fault (name, target, start, end, error). Returns how many faults of each kind were injected.
 *
 * @example
 * ```ts
 * const counts = await runNemesisLoop(ctx, [killNemesis(false)], timing, stop.signal);
 * ```
 */
export async function runNemesisLoop(ctx: RunContext, nemeses: readonly Nemesis[], timing: NemesisTiming, signal: AbortSignal): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const within = ([min, max]: readonly [number, number]): number => min + ctx.random() * (max - min);
  while (!signal.aborted && nemeses.length > 0) {
    await pause(within(timing.quietMs), signal);
    if (signal.aborted) break;
    // The end of a quiet spell: everything healed a while ago, a fair moment to sample the client.
    if (monotonicNow() - ctx.faults.healedAt > 1000) ctx.onQuiet?.();
    const nemesis = nemeses[Math.floor(ctx.random() * nemeses.length)]!;
    const start = monotonicNow();
    let target = "";
    let error: string | undefined;
    let revision: bigint | undefined;
    ctx.faults.active = true;
    try {
      const fault = await nemesis.inject(ctx);
      if (fault === undefined) continue;
      target = fault.target;
      revision = fault.revision;
      counts[nemesis.name] = (counts[nemesis.name] ?? 0) + 1;
      if (fault.heal !== undefined) {
        await pause(within(timing.faultMs));
        await healWithRetry(fault.heal);
      }
    } catch (err) {
      error = err instanceof Error ? err.message.split("\n")[0] : String(err);
      counts[`${nemesis.name} (failed)`] = (counts[`${nemesis.name} (failed)`] ?? 0) + 1;
      ctx.log(`nemesis ${nemesis.name} failed: ${error}`);
    } finally {
      ctx.faults.active = false;
      ctx.faults.healedAt = monotonicNow();
    }
    ctx.recorder.write({
      type: "nemesis",
      name: nemesis.name,
      target,
      start,
      end: monotonicNow(),
      ...(revision !== undefined ? { revision } : {}),
      ...(error !== undefined ? { error } : {}),
    });
  }
  return counts;
}

async function healWithRetry(heal: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await heal();
    } catch (err) {
      if (attempt >= 3) throw err;
      await pause(500);
    }
  }
}

/**
 * Undoes every fault that may still be in place: resumes paused members, restarts killed ones,
 * puts every proxy back to pass (a member's raft connections at every peer proxy included).
 *
 * @example
 * ```ts
 * await healAll(ctx);
 * ```
 */
export async function healAll(ctx: RunContext): Promise<void> {
  for (const i of ctx.active) {
    const m = ctx.cluster.members[i]!;
    m.proxy?.setMode("pass");
    // heal(i) also returns member i's connections at the other peer proxies to pass.
    if (m.peerProxy !== undefined) await ctx.cluster.heal(i).catch(() => m.peerProxy?.setMode("pass"));
    if (m.paused) ctx.cluster.resume(i);
    if (!m.running) await ctx.cluster.restart(i);
  }
}
