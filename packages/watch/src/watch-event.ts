import { KeyValue, type ResponseHeader, type Revision } from "@etcdkit/transport";
import { keyValueFromMessage } from "@etcdkit/transport/internal";
import { Event_EventType, type Event } from "@etcdkit/api/mvccpb/kv_pb";

/**
 * A key-value pair carried by a watch event: the same `KeyValue` as `@etcdkit/kv` results (bytes
 * plus `keyText()`, `text()`, `json()`, `number()`). For a delete event, `value` is empty and
 * `createRevision` / `version` are 0.
 *
 * @example
 * ```ts
 * for (const ev of batch.events) console.log(ev.kv.keyText(), ev.kv.text());
 * ```
 */
export { KeyValue as WatchKeyValue };

/**
 * One change of a watched key.
 *
 * - `type`: "put" (created or updated) or "delete" (deleted, or its lease expired).
 * - `kv`: the key after the change (for a delete: key and modRevision only).
 * - `prevKv`: the key before the change, with the `prevKv` option (absent for a creation, or when
 *   the previous version was compacted).
 *
 * @example
 * ```ts
 * if (event.type === "put" && event.isCreate) console.log("created", event.kv.keyText());
 * ```
 */
export interface WatchEvent {
  readonly type: "put" | "delete";
  readonly kv: KeyValue;
  readonly prevKv: KeyValue | undefined;
  /** True for a put that created the key (its create revision is this revision). */
  readonly isCreate: boolean;
}

/**
 * What a watch yields: every event of one or more whole revisions, or a progress notification.
 *
 * - `events`: in revision order; never empty unless `progress` is true. All events of one
 *   revision (e.g. a txn's writes) are always in the same batch.
 * - `revision`: for events, the revision of the last event; for a progress notification, the
 *   store revision the watch has caught up with.
 * - `progress`: true for a progress notification (no events).
 * - `header`: the header of etcd's answer (for events, `header.revision` is the store's revision
 *   when etcd sent them, which may be past `revision`).
 *
 * `JSON.stringify(batch)` works: revisions become decimal strings, keys and values their text
 * (or `{ "base64": "..." }`).
 *
 * @example
 * ```ts
 * for await (const batch of watcher.watch("app/", { prefix: true })) {
 *   if (batch.progress) console.log("up to date at", batch.revision);
 *   for (const event of batch.events) console.log(event.type, event.kv.keyText());
 * }
 * ```
 */
export interface WatchBatch {
  readonly events: readonly WatchEvent[];
  readonly revision: Revision;
  readonly progress: boolean;
  readonly header: ResponseHeader;
}

const emptyKeyValue = new KeyValue({
  key: new Uint8Array(0),
  value: new Uint8Array(0),
  createRevision: 0n,
  modRevision: 0n,
  version: 0,
  lease: 0n,
});

/**
 * Wraps a generated `mvccpb.Event`.
 *
 * @example
 * ```ts
 * const events = response.events.map(toWatchEvent);
 * ```
 */
export function toWatchEvent(event: Event): WatchEvent {
  const kv = event.kv === undefined ? emptyKeyValue : keyValueFromMessage(event.kv);
  return {
    type: event.type === Event_EventType.DELETE ? "delete" : "put",
    kv,
    prevKv: event.prevKv === undefined ? undefined : keyValueFromMessage(event.prevKv),
    isCreate: event.type === Event_EventType.PUT && kv.createRevision === kv.modRevision,
  };
}
