import { type Revision } from "@etcdkit/transport";
import { invalidArgumentError, isAbortSignal } from "@etcdkit/transport/internal";
import type { KV } from "@etcdkit/kv";
import type { Watcher } from "@etcdkit/watch";
import { decodeEndpoint, type Endpoint } from "./endpoint-codec.js";

/**
 * One change of a target's endpoints, as Go's `endpoints.Update`: an endpoint added (or
 * replaced) under `key`, or the endpoint under `key` deleted (by a delete or its lease's end).
 *
 * @example
 * ```ts
 * const update: EndpointUpdate = { op: "add", key: "svc/10.0.0.7:50051", endpoint: { addr: "10.0.0.7:50051" } };
 * ```
 */
export type EndpointUpdate =
  | { readonly op: "add"; readonly key: string; readonly endpoint: Endpoint }
  | { readonly op: "delete"; readonly key: string };

/**
 * Options of `manager.watch()`.
 *
 * @example
 * ```ts
 * const options: EndpointWatchOptions = { signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface EndpointWatchOptions {
  /** Ends the watch quietly. */
  readonly signal?: AbortSignal;
  /** Deadline of the initial read. */
  readonly timeoutMs?: number;
}

/**
 * A target's endpoints as they change: an async iterable of update batches, the first holding
 * an "add" for every endpoint present (left out when there is none), then one batch per revision
 * that changed an endpoint. Values Go could not read are skipped, as Go does. It ends quietly on
 * `cancel()`, `break`, `await using` or the signal, and throws the watch's EtcdError when it
 * cannot go on ("compacted", "transport-closed", ...); Go's channel just closes then.
 *
 * @example
 * ```ts
 * await using updates = manager.watch();
 * for await (const batch of updates) for (const u of batch) console.log(u.op, u.key);
 * ```
 */
export interface EndpointWatch extends AsyncIterableIterator<EndpointUpdate[]>, AsyncDisposable {
  /** Ends the watch quietly. Idempotent. */
  cancel(): void;
}

/**
 * Starts a watch of the endpoints under `prefix` (see EndpointWatch).
 *
 * @example
 * ```ts
 * const updates = watchEndpoints({ kv, watch: watcher }, "svc/");
 * ```
 */
export function watchEndpoints(
  source: { readonly kv: KV; readonly watch: Watcher },
  prefix: string,
  options?: EndpointWatchOptions,
): EndpointWatch {
  if (options !== undefined && (typeof options !== "object" || options === null)) throw invalidArgumentError("endpoints: watch options must be an object");
  if (options?.signal !== undefined && !isAbortSignal(options.signal)) throw invalidArgumentError("endpoints: signal must be an AbortSignal");
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  options?.signal?.addEventListener("abort", stop, { once: true });
  if (options?.signal?.aborted === true) stop();

  async function* run(): AsyncGenerator<EndpointUpdate[], void, undefined> {
    let revision: Revision;
    try {
      const read = await source.kv.getPrefix(prefix, { signal: controller.signal, timeoutMs: options?.timeoutMs });
      revision = read.revision;
      const initial: EndpointUpdate[] = [];
      for (const item of read.kvs) {
        const endpoint = decodeEndpoint(item.text());
        if (endpoint !== undefined) initial.push({ op: "add", key: item.keyText(), endpoint });
      }
      if (initial.length > 0) yield initial;
    } catch (err) {
      if (controller.signal.aborted) return;
      throw err;
    }
    const watch = source.watch.watch(prefix, { prefix: true, startRevision: revision + 1n, signal: controller.signal });
    try {
      for await (const batch of watch) {
        const updates: EndpointUpdate[] = [];
        for (const event of batch.events) {
          const key = event.kv.keyText();
          if (event.type === "delete") {
            updates.push({ op: "delete", key });
            continue;
          }
          const endpoint = decodeEndpoint(event.kv.text());
          if (endpoint !== undefined) updates.push({ op: "add", key, endpoint });
        }
        if (updates.length > 0) yield updates;
      }
    } finally {
      watch.cancel();
      options?.signal?.removeEventListener("abort", stop);
    }
  }

  const generator = run();
  const handle: EndpointWatch = {
    next: () => generator.next(),
    return: () => {
      stop();
      return generator.return(undefined);
    },
    cancel: stop,
    [Symbol.asyncIterator]: () => handle,
    [Symbol.asyncDispose]: async () => {
      await handle.return!();
    },
  };
  return handle;
}
