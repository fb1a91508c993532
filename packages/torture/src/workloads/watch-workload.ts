import type { WatchRequest } from "../history/types.js";
import { pause, type ManagedClient, type RunContext } from "../scenario/run-context.js";
import type { LogCollector } from "./log-collector.js";
import { startRecordedWatch, type RecordedWatch } from "./recorded-watch.js";

/**
 * A running watch workload: `done` settles when its clients stopped starting new watches; the
 * runner then calls `finish` after the final read, which lets each open watch catch up to the
 * final revision before canceling it.
 *
 * @example
 * ```ts
 * const watches = startWatchWorkload(ctx, { clients: 3 }, collector);
 * await watches.done;
 * await watches.finish(final.revision);
 * ```
 */
export interface WatchWorkload {
  readonly done: Promise<void>;
  finish(through: bigint, waitMs?: number): Promise<void>;
}

const RANGES: readonly WatchRequest[] = [
  { key: "r/", prefix: true },
  { key: "", prefix: true },
  { key: "r/1" },
  { key: "r/0", end: "r/3" },
  { key: "r/2", fromKey: true },
  { key: "a/", prefix: true },
  { key: "l/", prefix: true },
];

/**
 * Starts watch consumers on overlapping ranges (prefixes, a single key, a key range, from-key)
 * with random options (prevKv, filters, progress notifications) and start revisions (now, where
 * the consumer's previous watch stopped, or an older revision that may be compacted). Each watch
 * lives 2–8 s, then the consumer starts another.
 *
 * @example
 * ```ts
 * const watches = startWatchWorkload(ctx, { clients: 3 }, collector);
 * ```
 */
export function startWatchWorkload(ctx: RunContext, options: { clients?: number }, collector: LogCollector): WatchWorkload {
  const open = new Set<RecordedWatch>();
  const clients: ManagedClient[] = [];
  const consumer = async (): Promise<void> => {
    const managed = ctx.newClient();
    clients.push(managed);
    let resumeFrom: bigint | undefined;
    while (!ctx.stopping.aborted) {
      const client = await managed.current();
      const request = randomRequest(ctx, resumeFrom, collector.revision);
      const watch = startRecordedWatch(ctx.recorder, managed.id, client, request);
      open.add(watch);
      const started = performance.now();
      await Promise.race([pause(2000 + ctx.random() * 6000, ctx.stopping), watch.ended]);
      if (ctx.stopping.aborted && !watch.done) break;
      const endedEarly = watch.done;
      watch.cancel();
      await watch.ended;
      open.delete(watch);
      // A watch that ended by itself at once (an error) is not retried in a tight loop.
      if (endedEarly && performance.now() - started < 1000) await pause(250, ctx.stopping);
      resumeFrom = watch.lastRevision > 0n ? watch.lastRevision + 1n : undefined;
    }
  };
  const done = Promise.all(Array.from({ length: options.clients ?? 3 }, consumer)).then(() => undefined);
  return {
    done,
    async finish(through, waitMs = 20_000) {
      const deadline = performance.now() + waitMs;
      await Promise.all(
        [...open].map(async (watch) => {
          const target = collector.lastMatching(watch.request);
          const claim = target <= through ? through : undefined;
          while (!watch.done && watch.lastRevision < target && performance.now() < deadline) await pause(50);
          watch.cancel(claim);
          await watch.ended;
        }),
      );
      open.clear();
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

function randomRequest(ctx: RunContext, resumeFrom: bigint | undefined, current: bigint): WatchRequest {
  const range = RANGES[Math.floor(ctx.random() * RANGES.length)]!;
  const roll = ctx.random();
  const startRevision =
    roll < 0.45 ? undefined : roll < 0.7 && resumeFrom !== undefined ? resumeFrom : current > 2n ? 1n + BigInt(Math.floor(ctx.random() * Number(current))) : undefined;
  const filter = ctx.random();
  return {
    ...range,
    ...(startRevision !== undefined ? { startRevision } : {}),
    ...(ctx.random() < 0.5 ? { prevKv: true } : {}),
    ...(filter < 0.15 ? { noDelete: true } : filter < 0.25 ? { noPut: true } : {}),
    ...(ctx.random() < 0.3 ? { progressNotify: true } : {}),
  };
}
