import { unrefTimer } from "@etcdkit/transport/internal";

/**
 * Waits `ms` for a background retry, or until `signal` aborts (then at once); always resolves.
 * The timer does not keep the process alive.
 *
 * @example
 * ```ts
 * await backgroundDelay(250, closer.signal);
 * if (closer.signal.aborted) return;
 * ```
 */
export function backgroundDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = unrefTimer(setTimeout(done, ms));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
