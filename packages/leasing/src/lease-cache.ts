import { inWireRange, type WireRange } from "@etcdkit/kv/internal";
import { monotonicNow, type KeyValue, type ResponseHeader, type Revision } from "@etcdkit/transport";
import { keyId } from "./key-bytes.js";
import { applyChange, KeyState, type KeyChange } from "./key-state.js";

/**
 * After the cache gives a key up (a writer asked for it, or a write's outcome was unknown), it
 * does not try to own the key again for this long: reads go to etcd meanwhile, so two clients
 * that read and write one key do not pass its ownership back and forth on every call (Go's
 * `revokeBackoff`).
 *
 * @example
 * ```ts
 * cache.mayAcquire(id); // false for REACQUIRE_BACKOFF_MS after a revoke
 * ```
 */
export const REACQUIRE_BACKOFF_MS = 2_000;

/** Past this many remembered give-ups, expired ones are swept (they are otherwise dropped when next read). */
const MAX_BACKOFF_ENTRIES = 4096;

/**
 * A started acquisition: what it must find unchanged to install its result.
 *
 * @example
 * ```ts
 * const ticket = cache.beginAcquire(key);
 * ```
 */
export interface AcquireTicket {
  readonly state: KeyState;
  readonly id: string;
  readonly epoch: number;
  readonly generation: number;
}

/**
 * A started write: the ownership revision its guard used.
 *
 * @example
 * ```ts
 * const ticket = cache.beginWrite(key); // guard: createRevision(ownershipKey) < ticket.guard + 1
 * ```
 */
export interface WriteTicket {
  readonly state: KeyState;
  readonly id: string;
  readonly guard: Revision;
}

/**
 * The per-key states of a leasing KV, for the current session. Every method is synchronous, so a
 * decision (serve, install, apply a write, drop) sees one consistent state: JavaScript runs one
 * callback at a time, and the cache is changed only between awaits.
 *
 * @example
 * ```ts
 * const cache = new LeaseCache();
 * const state = cache.servable(keyId(key)); // a value that may be served, if any
 * ```
 */
export class LeaseCache {
  /** The highest store revision seen in any answer or event (a lower bound of etcd's current revision). */
  knownRevision: Revision = 0n;
  private readonly states = new Map<string, KeyState>();
  private readonly backoff = new Map<string, number>();
  private generation = 0;

  /** The state of a key whose cached value may be served (apart from the lease's liveness). */
  servable(id: string): KeyState | undefined {
    const state = this.states.get(id);
    return state !== undefined && state.servable() ? state : undefined;
  }

  /** The state of a key, if it has one. */
  get(id: string): KeyState | undefined {
    return this.states.get(id);
  }

  /** How many keys currently have a value that may be served. */
  get cachedKeys(): number {
    let n = 0;
    for (const state of this.states.values()) if (state.servable()) n++;
    return n;
  }

  /** Whether the cache may try to own the key (not within REACQUIRE_BACKOFF_MS of giving it up). */
  mayAcquire(id: string): boolean {
    const since = this.backoff.get(id);
    if (since === undefined) return true;
    if (monotonicNow() - since < REACQUIRE_BACKOFF_MS) return false;
    this.backoff.delete(id);
    return true;
  }

  /** Notes a store revision seen in an answer or event. */
  noteRevision(revision: Revision): void {
    if (revision > this.knownRevision) this.knownRevision = revision;
  }

  beginAcquire(key: Uint8Array, id = keyId(key)): AcquireTicket {
    const state = this.ensure(id, key);
    state.pending++;
    return { state, id, epoch: state.epoch, generation: this.generation };
  }

  /**
   * Ends an acquisition. With `owned` (this session owns the ownership key created at
   * `owned.createRevision`, and the key's value at `owned.asOf` is `owned.value`, read by the
   * answer with `owned.header`): the ownership
   * is recorded unless a watch event newer than the read was seen or the session changed, and the
   * value is installed only if, in addition, nothing changed the key locally since the
   * acquisition began (no write started, nothing dropped) and no write is in flight.
   */
  endAcquire(ticket: AcquireTicket, owned?: { createRevision: Revision; value: KeyValue | null; asOf: Revision; header: ResponseHeader }): void {
    const { state } = ticket;
    state.pending--;
    const current = ticket.generation === this.generation && state.lastEvent <= (owned?.asOf ?? -1n);
    if (owned !== undefined && current) {
      state.owned = owned.createRevision;
      if (ticket.epoch === state.epoch && state.writes === 0) {
        state.value = owned.value;
        state.asOf = owned.asOf;
        state.header = owned.header;
      }
    }
    this.releaseIfIdle(ticket.id, state);
  }

  beginWrite(key: Uint8Array, id = keyId(key)): WriteTicket {
    const state = this.ensure(id, key);
    state.writes++;
    state.epoch++;
    return { state, id, guard: state.owned };
  }

  /**
   * Ends a write: applied at `revision` (by the answer with `header`) with `change`, `"not-applied"` (etcd refused it or it
   * was never sent), or `"unknown"` (it may have been applied: the cached value is dropped and the
   * key is not re-acquired for a while).
   */
  endWrite(ticket: WriteTicket, outcome: { revision: Revision; header: ResponseHeader; change: KeyChange } | "not-applied" | "unknown"): void {
    const { state } = ticket;
    state.writes--;
    if (outcome === "unknown") {
      this.dropValue(ticket.id, state);
    } else if (outcome !== "not-applied" && state.owned !== 0n && state.owned === ticket.guard) {
      applyChange(state, outcome.revision, outcome.header, outcome.change);
    }
    this.releaseIfIdle(ticket.id, state);
  }

  /** The states of every key in `range` that this client owns or is writing. */
  statesInRange(range: WireRange): Array<[string, KeyState]> {
    const out: Array<[string, KeyState]> = [];
    for (const entry of this.states) if (inWireRange(entry[1].key, range)) out.push(entry);
    return out;
  }

  /** Drops a key's cached value (ownership stays) and backs off from re-acquiring it. */
  dropValue(id: string, state: KeyState): void {
    if (state.value !== undefined) this.markBackoff(id);
    state.drop();
  }

  /** This session no longer owns the key (its ownership key is gone or being given up). */
  disown(id: string, state: KeyState): void {
    this.markBackoff(id);
    state.owned = 0n;
    state.drop();
    this.releaseIfIdle(id, state);
  }

  /**
   * Drops every cached value and ownership (the session ended): acquisitions and writes in
   * flight keep their states but install nothing.
   */
  clear(): void {
    this.generation++;
    for (const [id, state] of this.states) {
      state.owned = 0n;
      state.drop();
      this.releaseIfIdle(id, state);
    }
    this.backoff.clear();
  }

  private markBackoff(id: string): void {
    const now = monotonicNow();
    this.backoff.set(id, now);
    if (this.backoff.size > MAX_BACKOFF_ENTRIES) {
      for (const [other, since] of this.backoff) if (now - since >= REACQUIRE_BACKOFF_MS) this.backoff.delete(other);
    }
  }

  private ensure(id: string, key: Uint8Array): KeyState {
    let state = this.states.get(id);
    if (state === undefined) {
      state = new KeyState(key);
      this.states.set(id, state);
    }
    return state;
  }

  private releaseIfIdle(id: string, state: KeyState): void {
    if (state.idle() && this.states.get(id) === state) this.states.delete(id);
  }
}
