import type { RunContext } from "../scenario/run-context.js";

/**
 * A fault in progress: what it hit, and how to heal it (none for one-shot actions such as a
 * compaction or a leader move).
 *
 * @example
 * ```ts
 * const fault: Fault = { target: "member-1", heal: () => cluster.restart(1) };
 * ```
 */
export interface Fault {
  readonly target: string;
  readonly heal?: () => Promise<void>;
  /** For a compaction: the revision compacted to. */
  readonly revision?: bigint;
}

/**
 * One kind of fault the nemesis can inject.
 *
 * @example
 * ```ts
 * const pauseOne: Nemesis = { name: "pause", inject: async (ctx) => { ctx.cluster.pause(1); return { target: "member-1", heal: async () => ctx.cluster.resume(1) }; } };
 * ```
 */
export interface Nemesis {
  readonly name: string;
  /** Injects the fault; resolves undefined when it does not apply now (e.g. no leader to move). */
  inject(ctx: RunContext): Promise<Fault | undefined>;
}

/**
 * A random active member index, optionally only among `candidates`.
 *
 * @example
 * ```ts
 * const i = pickMember(ctx);
 * ```
 */
export function pickMember(ctx: RunContext, candidates: readonly number[] = ctx.active): number | undefined {
  if (candidates.length === 0) return undefined;
  return candidates[Math.floor(ctx.random() * candidates.length)];
}

/**
 * A member's name for records and logs.
 *
 * @example
 * ```ts
 * memberName(ctx, 2); // "member-2"
 * ```
 */
export function memberName(ctx: RunContext, index: number): string {
  return ctx.cluster.members[index]?.name ?? `member-${index}`;
}
