/**
 * Lets a timer not keep the process alive where the runtime can (Node's, Bun's and Deno's
 * `Timeout.unref()`), and does nothing where timers are plain numbers (browsers, workerd), so
 * code that uses it runs everywhere. Returns the timer.
 *
 * @example
 * ```ts
 * this.timer = unrefTimer(setTimeout(expire, ttlMs));
 * clearTimeout(this.timer);
 * ```
 */
export function unrefTimer<T>(timer: T): T {
  (timer as { unref?: () => unknown } | null)?.unref?.();
  return timer;
}

/**
 * Re-arms a timer for another `ms` from now: Node's, Bun's and Deno's `Timeout.refresh()` (no
 * new timer), or, where timers are plain numbers (browsers, workerd), a new `setTimeout` of
 * `callback` in place of the old one. Returns the timer to keep.
 *
 * @example
 * ```ts
 * entry.timer = refreshTimer(entry.timer, () => this.tick(entry), entry.intervalMs);
 * ```
 */
export function refreshTimer(
  timer: ReturnType<typeof setTimeout> | undefined,
  callback: () => void,
  ms: number,
): ReturnType<typeof setTimeout> {
  const refreshable = timer as { refresh?: () => unknown } | undefined;
  if (typeof refreshable?.refresh === "function") {
    refreshable.refresh();
    return timer!;
  }
  if (timer !== undefined) clearTimeout(timer);
  return setTimeout(callback, ms);
}
