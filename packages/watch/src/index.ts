/**
 * `@etcdkit/watch`: etcd watches as async iterables of batches. All watches of a transport share
 * one bidi stream that is re-opened when it breaks; every watch resumes from its last delivered
 * revision + 1, so events arrive in revision order, exactly once, whole revisions per batch.
 * Compaction, server cancellation and fatal transport errors end a watch with a typed EtcdError.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createWatch } from "@etcdkit/watch";
 *
 * const watcher = createWatch(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));
 * for await (const batch of watcher.watch("foo")) {
 *   for (const event of batch.events) console.log(event.type, event.kv.keyText(), event.kv.text());
 * }
 * ```
 */
export { createWatch, type Watcher } from "./create-watch.js";
export type { Watch } from "./watch.js";
export type { WatchStats } from "./watch-hub.js";
export type { WatchFeatures, WatchOptions, WatchRange } from "./watch-options.js";
export { WatchKeyValue, type WatchBatch, type WatchEvent } from "./watch-event.js";
export { listThenWatch, type ListThenWatch, type ListThenWatchOptions } from "./list-then-watch.js";
