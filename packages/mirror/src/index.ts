/**
 * `@etcdkit/mirror`: copy a prefix of one etcd cluster, its state at one revision (paged, pinned)
 * and then every change after it, as Go's `clientv3/mirror`.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createSyncer } from "@etcdkit/mirror";
 *
 * const syncer = createSyncer({ kv, watch: watcher }, "app/");
 * for await (const page of syncer.syncBase()) for (const item of page.kvs) await target.put(item.key, item.value);
 * for await (const batch of syncer.syncUpdates()) console.log(batch.revision, batch.events.length);
 * ```
 */
export { createSyncer, type SyncBaseOptions, type Syncer, type SyncSource, type SyncUpdatesOptions } from "./syncer.js";
