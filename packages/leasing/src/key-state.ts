import { KeyValue, type ResponseHeader, type Revision } from "@etcdkit/transport";
import { copyBytes } from "./key-bytes.js";

/**
 * What the leasing KV knows about one key. A key has a state while this client owns it, has a
 * write to it in flight, or is acquiring it; idle states of keys it does not own are dropped.
 *
 * The cached value may be served only when `servable()`: owned by the current session, known
 * (`value !== undefined`) and with no write of this client in flight (whose outcome would change
 * it). The caller also checks that the session's lease is provably alive.
 *
 * @example
 * ```ts
 * const state = new KeyState(toBytes("config"));
 * state.servable(); // false until an acquisition installs a value
 * ```
 */
export class KeyState {
  /** The create revision of this session's ownership key of the key; 0n: not owned. */
  owned: Revision = 0n;
  /** The key's value (null: the key does not exist); undefined: not known, nothing to serve. */
  value: KeyValue | null | undefined = undefined;
  /** The revision at which `value` is known to be the key's value. */
  asOf: Revision = 0n;
  /**
   * The header of etcd's answer that gave `value` (the acquisition's read, or the last write of
   * this client applied to it): what a cache hit reports as its `header`.
   */
  header: ResponseHeader | undefined = undefined;
  /** Writes of this client to the key that have not settled. */
  writes = 0;
  /** Acquisitions of the key in flight. */
  pending = 0;
  /** Bumped whenever the cached value is dropped or a write starts: acquisitions begun earlier do not install. */
  epoch = 0;
  /** The highest revision of an event on the key's ownership key seen by the watch. */
  lastEvent: Revision = 0n;

  constructor(readonly key: Uint8Array) {}

  /** Whether the cached value may be served (apart from the lease's liveness). */
  servable(): boolean {
    return this.value !== undefined && this.owned !== 0n && this.writes === 0;
  }

  /** Whether nothing refers to this state any more. */
  idle(): boolean {
    return this.owned === 0n && this.writes === 0 && this.pending === 0 && this.value === undefined;
  }

  /** Drops the cached value (the ownership, if any, stays) and stops earlier acquisitions from installing. */
  drop(): void {
    this.value = undefined;
    this.header = undefined;
    this.epoch++;
  }
}

/**
 * A change to a key made by this client's write, applied to the cached value when the write's
 * revision is known:
 * - `put`: a put of `value` without a lease;
 * - `delete`: the key was deleted (or a range delete covered it);
 * - `drop`: the value cannot be derived (a put with a lease, `ignoreValue` or `ignoreLease`;
 *   several changes to the key in one txn): the cached value is dropped.
 *
 * @example
 * ```ts
 * const change: KeyChange = { type: "put", value: toBytes("v2") };
 * ```
 */
export type KeyChange = { readonly type: "put"; readonly value: Uint8Array } | { readonly type: "delete" } | { readonly type: "drop" };

/**
 * Applies this client's write, acknowledged at `revision` by an answer with `header`, to a key's
 * cached value. Writes to an
 * owned key come only from this client, so from the cached value at `asOf` and a write at a
 * later revision the new value follows exactly (version + 1, or a new key at version 1). A write
 * acknowledged at or below `asOf` (acknowledgements arriving out of order, or a write the cached
 * read already included) cannot be applied without counting it twice: the value is dropped.
 *
 * @example
 * ```ts
 * applyChange(state, 42n, header, { type: "put", value: toBytes("v2") });
 * ```
 */
export function applyChange(state: KeyState, revision: Revision, header: ResponseHeader, change: KeyChange): void {
  const current = state.value;
  if (current === undefined) return;
  if (change.type === "drop" || revision <= state.asOf) {
    state.drop();
    return;
  }
  if (change.type === "delete") {
    state.value = null;
  } else {
    state.value = new KeyValue({
      key: copyBytes(state.key),
      value: copyBytes(change.value),
      createRevision: current === null ? revision : current.createRevision,
      modRevision: revision,
      version: current === null ? 1 : current.version + 1,
      lease: 0n,
    });
  }
  state.asOf = revision;
  state.header = header;
}
