/**
 * A running auto-sync loop.
 *
 * @example
 * ```ts
 * const sync = startAutoSync(30_000, (signal) => transport.syncEndpoints({ signal }));
 * sync.stop();
 * ```
 */
export interface AutoSync {
  stop(): void;
}

/**
 * Calls `sync` every `intervalMs` (the first time one interval after start), one run at a time.
 * Failures are ignored: the endpoint list simply stays as it is until the next run succeeds, as
 * in Go's client. The timer never keeps the process alive, and `stop()` aborts a run in flight.
 *
 * @example
 * ```ts
 * const sync = startAutoSync(60_000, async (signal) => pool.setEndpoints(await fetchMemberEndpoints(call, signal, 5000)));
 * ```
 */
export function startAutoSync(intervalMs: number, sync: (signal: AbortSignal) => Promise<unknown>): AutoSync {
  let controller: AbortController | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(run, intervalMs);
    timer.unref();
  };
  const run = (): void => {
    controller = new AbortController();
    sync(controller.signal)
      .catch(() => {
        // Keep the current endpoints; try again at the next interval.
      })
      .finally(() => {
        controller = undefined;
        schedule();
      });
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      controller?.abort();
    },
  };
}
