import type { Transport } from "@connectrpc/connect";
import { type Revision } from "@etcdkit/transport";
import { checkOptionsObject, checkRevision, checkTransport, invalidArgumentError } from "@etcdkit/transport/internal";
import { createWatch, type WatchEvent, type Watcher } from "@etcdkit/watch";
import { checkName } from "../arguments.js";
import { WaitScope, type WaitOptions } from "../wait-scope.js";

/**
 * What `waitEvents` waits for: from `startRevision` on, the event types of `events` in this order
 * (other events in between are skipped), on `key` or, with `prefix: true`, on any key under it.
 *
 * @example
 * ```ts
 * const options: WaitEventsOptions = { startRevision: 42n, events: ["put", "delete"], timeoutMs: 10_000 };
 * ```
 */
export interface WaitEventsOptions extends WaitOptions {
  readonly startRevision: Revision;
  readonly events: readonly ("put" | "delete")[];
  readonly prefix?: boolean;
}

/**
 * Waits until `key` (or a key under it, with `prefix`) has seen the given sequence of event
 * types since `startRevision`, and resolves with the last matching event (Go's recipe
 * `WaitEvents` / `WaitPrefixEvents`). Watching from a revision, it never misses an event that
 * happened before the wait started.
 *
 * Throws "invalid-argument" / "empty-key" (before any I/O) for a bad key, revision or event list,
 * "deadline-exceeded" / "canceled" when `timeoutMs` / `signal` end the wait, "compacted" when
 * `startRevision` was compacted, and the watch's fatal errors.
 *
 * @example
 * ```ts
 * const { kv } = await waitEvents(transport, "jobs/42", { startRevision: rev + 1n, events: ["delete"], signal });
 * ```
 */
export async function waitEvents(transport: Transport, key: string, options: WaitEventsOptions): Promise<WatchEvent> {
  checkTransport(transport, "waitEvents");
  checkName(key, "waitEvents");
  checkEventsOptions(options);
  using scope = WaitScope.open(options, "waitEvents");
  return await waitEventsIn(createWatch(transport), key, options, scope);
}

/**
 * `waitEvents` under an existing scope (the recipes' waits, bounded by their caller's options and
 * session).
 *
 * @example
 * ```ts
 * await waitEventsIn(session.watcher, `${key}/ready`, { startRevision, events: ["put"] }, scope);
 * ```
 */
export async function waitEventsIn(
  watcher: Watcher,
  key: string,
  options: { readonly startRevision: Revision; readonly events: readonly ("put" | "delete")[]; readonly prefix?: boolean },
  scope: WaitScope,
): Promise<WatchEvent> {
  scope.throwIfAborted();
  const watch = watcher.watch(key, { startRevision: options.startRevision, prefix: options.prefix === true ? true : undefined, signal: scope.signal } as never);
  let matched = 0;
  try {
    for await (const batch of watch) {
      for (const event of batch.events) {
        if (event.type !== options.events[matched]) continue;
        matched += 1;
        if (matched === options.events.length) return event;
      }
    }
  } catch (err) {
    throw scope.error(err);
  } finally {
    watch.cancel();
  }
  scope.throwIfAborted();
  throw scope.error(new Error("waitEvents: the watch ended"));
}

function checkEventsOptions(options: WaitEventsOptions): void {
  checkOptionsObject(options);
  if (options === undefined) throw invalidArgumentError("waitEvents: options { startRevision, events } are required");
  checkRevision(options.startRevision, "waitEvents: startRevision");
  if (!Array.isArray(options.events) || options.events.length === 0 || options.events.some((e) => e !== "put" && e !== "delete")) {
    throw invalidArgumentError('waitEvents: events must be a non-empty array of "put" / "delete"');
  }
  if (options.prefix !== undefined && typeof options.prefix !== "boolean") throw invalidArgumentError("waitEvents: prefix must be a boolean");
}
