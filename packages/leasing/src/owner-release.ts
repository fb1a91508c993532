import { bytesToText, MAX_TIMER_MS, monotonicNow, type Revision } from "@etcdkit/transport";
import { unrefTimer } from "@etcdkit/transport/internal";
import type { Watcher } from "@etcdkit/watch";
import { abortError, deadlineError, type CallScope } from "./call-scope.js";

/**
 * Waits until an ownership key is deleted after `afterRevision` (the revision of this client's
 * "REVOKE" put on it): its owner gave the key up, or the owner's lease ended. Watches only that
 * key, on the transport's shared watch stream, from `afterRevision + 1`, so a delete that
 * happens before the watch is registered is still seen.
 *
 * Returns when the key was deleted, or when the watch ended some other way (e.g. compacted):
 * the caller then tries its write again, which re-checks ownership in etcd. Throws "canceled"
 * when the call's signal aborts and "deadline-exceeded" when the call's deadline (or, without
 * one, `defaultWaitMs`) passes first; the caller's write was not applied in either case.
 *
 * @example
 * ```ts
 * await waitForRelease(watcher, layout.ownershipKey(key), txn.revision, scope, 60_000);
 * ```
 */
export async function waitForRelease(
  watcher: Watcher,
  ownershipKey: Uint8Array,
  afterRevision: Revision,
  scope: CallScope,
  defaultWaitMs: number,
): Promise<void> {
  const until = scope.waitUntil(defaultWaitMs);
  const what = `waiting for the owner of ${JSON.stringify(bytesToText(ownershipKey))} to give it up`;
  scope.throwIfDone(what);
  const stop = new AbortController();
  const watch = watcher.watch(ownershipKey, { startRevision: afterRevision + 1n, noPut: true, signal: stop.signal });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const ended = new Promise<"timeout" | "aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    scope.signal.addEventListener("abort", onAbort, { once: true });
    if (until !== Infinity) timer = unrefTimer(setTimeout(() => resolve("timeout"), Math.min(MAX_TIMER_MS, Math.max(0, until - monotonicNow()))));
  });
  const released = (async (): Promise<"released" | "ended"> => {
    try {
      for await (const batch of watch) if (batch.events.length > 0) return "released";
    } catch {
      // compacted or canceled by etcd: the caller checks ownership again
    }
    return "ended";
  })();
  try {
    const outcome = await Promise.race([released, ended]);
    if (outcome === "aborted") throw abortError(scope.signal, what);
    if (outcome === "timeout") throw deadlineError(what);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) scope.signal.removeEventListener("abort", onAbort);
    stop.abort();
  }
}
