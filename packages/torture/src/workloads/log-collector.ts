import { watchCovers } from "../checkers/key-range.js";
import type { WatchRequest } from "../history/types.js";
import { pause, type RunContext } from "../scenario/run-context.js";
import type { ManagedClient } from "../scenario/run-context.js";
import { startRecordedWatch, type RecordedWatch } from "./recorded-watch.js";

/**
 * The log collector: a watch of every key from revision 1, started before any traffic, on a
 * client that talks to the members directly. Its batches are the store's complete change log,
 * which the checkers treat as ground truth (and check for holes). It also remembers each key's
 * latest put and delete revision, so the runner can tell at the end how far every other watch
 * must have got.
 *
 * @example
 * ```ts
 * const collector = startLogCollector(ctx, ctx.newClient(directEndpoints(cluster, active)));
 * await collector.reach(finalRevision, 30_000);
 * ```
 */
export interface LogCollector {
  readonly watch: RecordedWatch;
  /** The highest revision delivered. */
  readonly revision: bigint;
  /** Waits until the collector delivered `revision` (false on timeout). */
  reach(revision: bigint, timeoutMs: number): Promise<boolean>;
  /** The highest revision of a change a watch with `request` gets (0n: none). */
  lastMatching(request: WatchRequest): bigint;
  stop(through: bigint | undefined): Promise<void>;
}

/**
 * Starts the log collector.
 *
 * @example
 * ```ts
 * const collector = startLogCollector(ctx, managed);
 * ```
 */
export async function startLogCollector(ctx: RunContext, managed: ManagedClient): Promise<LogCollector> {
  const client = await managed.current();
  const latest = new Map<string, { put: bigint; del: bigint }>();
  const watch = startRecordedWatch(ctx.recorder, managed.id, client, { key: "", prefix: true, startRevision: 1n }, true);
  watch.onBatch = (batch) => {
    for (const e of batch.events) {
      let entry = latest.get(e.key);
      if (entry === undefined) latest.set(e.key, (entry = { put: 0n, del: 0n }));
      if (e.type === "put") entry.put = e.modRevision;
      else entry.del = e.modRevision;
    }
  };
  return {
    watch,
    get revision() {
      return watch.lastRevision;
    },
    async reach(revision, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (watch.lastRevision < revision && !watch.done && performance.now() < deadline) await pause(50);
      return watch.lastRevision >= revision;
    },
    lastMatching(request) {
      let max = 0n;
      for (const [key, entry] of latest) {
        if (!watchCovers(request, key)) continue;
        if (request.noPut !== true && entry.put > max) max = entry.put;
        if (request.noDelete !== true && entry.del > max) max = entry.del;
      }
      return max;
    },
    async stop(through) {
      watch.cancel(through);
      await watch.ended;
      await managed.close();
    },
  };
}
