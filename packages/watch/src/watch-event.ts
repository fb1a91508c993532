import { bytesToText, type LeaseId, type Revision } from "@etcdkit/transport";
import { Event_EventType, type Event, type KeyValue as KeyValueMessage } from "@etcdkit/api/mvccpb/kv_pb";

/**
 * A key-value pair carried by a watch event: raw bytes plus metadata, with decoding helpers.
 *
 * @example
 * ```ts
 * for (const event of batch.events) console.log(event.kv.keyText(), event.kv.text(), event.kv.modRevision);
 * ```
 */
export class WatchKeyValue {
  /** The key's bytes. */
  readonly key: Uint8Array;
  /** The value's bytes (empty for a delete event). */
  readonly value: Uint8Array;
  /** The revision of the key's last creation (0n for a delete event). */
  readonly createRevision: Revision;
  /** The revision of this change. */
  readonly modRevision: Revision;
  /** Writes since the key was created (0 for a delete event). */
  readonly version: number;
  /** The lease attached to the key; 0n: none. */
  readonly lease: LeaseId;

  /**
   * @example
   * ```ts
   * const kv = new WatchKeyValue(message); // from a generated mvccpb.KeyValue
   * ```
   */
  constructor(message: KeyValueMessage) {
    this.key = message.key;
    this.value = message.value;
    this.createRevision = message.createRevision;
    this.modRevision = message.modRevision;
    this.version = Number(message.version);
    this.lease = message.lease;
  }

  /**
   * The key decoded as UTF-8 text.
   *
   * @example
   * ```ts
   * event.kv.keyText(); // "config/app"
   * ```
   */
  keyText(): string {
    return bytesToText(this.key);
  }

  /**
   * The value decoded as UTF-8 text.
   *
   * @example
   * ```ts
   * event.kv.text(); // "bar"
   * ```
   */
  text(): string {
    return bytesToText(this.value);
  }

  /**
   * The value parsed as JSON (the type parameter is not checked). Throws a `SyntaxError` when
   * the value is not JSON.
   *
   * @example
   * ```ts
   * const config = event.kv.json<{ replicas: number }>();
   * ```
   */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }
}

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
  readonly kv: WatchKeyValue;
  readonly prevKv: WatchKeyValue | undefined;
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
}

const emptyKeyValue = new WatchKeyValue({
  key: new Uint8Array(0),
  value: new Uint8Array(0),
  createRevision: 0n,
  modRevision: 0n,
  version: 0n,
  lease: 0n,
} as KeyValueMessage);

/**
 * Wraps a generated `mvccpb.Event`.
 *
 * @example
 * ```ts
 * const events = response.events.map(toWatchEvent);
 * ```
 */
export function toWatchEvent(event: Event): WatchEvent {
  const kv = event.kv === undefined ? emptyKeyValue : new WatchKeyValue(event.kv);
  return {
    type: event.type === Event_EventType.DELETE ? "delete" : "put",
    kv,
    prevKv: event.prevKv === undefined ? undefined : new WatchKeyValue(event.prevKv),
    isCreate: event.type === Event_EventType.PUT && kv.createRevision === kv.modRevision,
  };
}
