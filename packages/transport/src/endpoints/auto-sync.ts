/**
 * Deadline of each auto-sync MemberList, as Go's client (`autoSync` gives `Sync` 5 s): a member
 * that does not answer delays the next refresh by at most this long, whatever the transport's
 * dial timeout or default deadline.
 */
export const AUTO_SYNC_TIMEOUT_MS = 5_000;

/**
 * A running auto-sync loop.
 *
 * @example
 * ```ts
 * const sync = startAutoSync(30_000, (options) => transport.syncEndpoints(options));
 * sync.stop();
 * ```
 */
export interface AutoSync {
  stop(): void;
}

/**
 * Calls `sync` every `intervalMs` (the first time one interval after start), one run at a time,
 * each with a deadline of AUTO_SYNC_TIMEOUT_MS. Failures are ignored: the endpoint list simply
 * stays as it is until the next run succeeds, as in Go's client. The timer never keeps the
 * process alive, and `stop()` aborts a run in flight.
 *
 * @example
 * ```ts
 * const sync = startAutoSync(60_000, (options) => transport.syncEndpoints(options));
 * ```
 */
export function startAutoSync(
  intervalMs: number,
  sync: (options: { signal: AbortSignal; timeoutMs: number }) => Promise<unknown>,
): AutoSync {
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
    sync({ signal: controller.signal, timeoutMs: AUTO_SYNC_TIMEOUT_MS })
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
