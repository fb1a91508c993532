import { op, type Comparison, type GetOp, type KV, type RangeResult } from "@etcdkit/kv";
import {
  bytesToText,
  EtcdError,
  isEtcdError,
  toBytes,
  type Bytes,
  type LeaseId,
  type Revision,
} from "@etcdkit/transport";
import { invalidArgumentError, typeName } from "@etcdkit/transport/internal";
import { ReadSet, WriteSet } from "./stm-sets.js";
import type { Isolation, STM } from "./stm.js";
import type { WaitScope } from "./wait-scope.js";

/**
 * A pinned read hit a compacted revision: the attempt is retried from a fresh snapshot.
 *
 * @example
 * ```ts
 * if (err instanceof Conflict) retry();
 * ```
 */
export class Conflict extends Error {}

/**
 * One attempt of an STM transaction: its read set, write set and snapshot revision, and the
 * commit under the isolation level's guards.
 *
 * @example
 * ```ts
 * const attempt = new Attempt(kv, "serializable-snapshot", scope, undefined);
 * await apply(attempt);
 * const commit = await attempt.commit();
 * ```
 */
export class Attempt implements STM {
  private readonly reads = new ReadSet();
  private readonly writes = new WriteSet();
  private pinned: Revision | undefined;
  private open = true;

  constructor(
    private readonly kv: KV,
    private readonly isolation: Isolation,
    private readonly scope: WaitScope,
    /** Key-values read by the previous attempt's failed commit (its else branch): this attempt starts from them. */
    private readonly carried: Map<string, RangeResult> | undefined,
  ) {}

  async get(key: string): Promise<string> {
    checkKey(key);
    const written = this.writes.value(key);
    if (written !== undefined) return written;
    await this.fetch([key]);
    const kv = this.reads.get(key);
    return kv === undefined ? "" : bytesToText(kv.value);
  }

  async rev(key: string): Promise<Revision> {
    checkKey(key);
    await this.fetch([key]);
    return this.reads.get(key)?.modRevision ?? 0n;
  }

  put(key: string, value: Bytes, options?: { readonly lease?: LeaseId }): void {
    checkKey(key);
    this.checkOpen();
    const bytes = toBytes(value);
    this.writes.put(key, bytesToText(bytes), op.put(key, bytes, options?.lease === undefined ? undefined : { lease: options.lease }));
  }

  delete(key: string): void {
    checkKey(key);
    this.checkOpen();
    this.writes.delete(key);
  }

  /** Reads the keys not read yet, in one round trip. */
  async fetch(keys: readonly string[]): Promise<void> {
    this.checkOpen();
    const missing = keys.filter((key) => !this.reads.has(key));
    for (const key of [...missing]) {
      const carried = this.carried?.get(key);
      if (carried !== undefined && this.snapshot()) {
        this.carried!.delete(key);
        this.reads.add(key, carried);
        this.pinned ??= carried.revision;
        missing.splice(missing.indexOf(key), 1);
      }
    }
    if (missing.length === 0) return;
    const options = this.readOptions();
    let result;
    try {
      result = await this.read(missing, options);
    } catch (err) {
      if (this.pinned === undefined) throw err;
      // The snapshot was compacted away: start over from a fresh one.
      if (isEtcdError(err, "compacted")) throw new Conflict();
      // The nearest member has not applied the snapshot's revision yet: a linearizable read
      // waits until it has (etcd-io/etcd#11963).
      if (!isEtcdError(err, "future-revision")) throw err;
      result = await this.read(missing, { revision: this.pinned });
    }
    if (!result.succeeded) throw new Error("unreachable: a txn without guards always succeeds");
    missing.forEach((key, i) => this.reads.add(key, result.responses[i] as RangeResult));
    if (this.snapshot()) this.pinned ??= result.revision;
  }

  private read(keys: readonly string[], options: { revision?: Revision; serializable?: boolean }) {
    return this.kv.txn().then(...keys.map((key) => op.get(key, options))).commit(this.scope.callOptions());
  }

  /** Sends the writes under the isolation's guards. On a conflict, returns the current values of the keys read. */
  async commit(): Promise<{ committed: true; revision: Revision } | { committed: false; current: Map<string, RangeResult> | undefined }> {
    this.checkOpen();
    const guards = this.guards();
    const keys = this.reads.keys();
    const rereads: GetOp[] = this.snapshot() ? keys.map((key) => op.get(key)) : [];
    let result;
    try {
      result = await this.kv.txn().if(...guards).then(...this.writes.ops()).else(...rereads).commit(this.scope.callOptions());
    } catch (err) {
      throw ambiguous(this.scope.error(err));
    }
    if (result.succeeded) return { committed: true, revision: result.revision };
    if (!this.snapshot()) return { committed: false, current: undefined };
    const current = new Map<string, RangeResult>();
    keys.forEach((key, i) => current.set(key, result.responses[i] as RangeResult));
    return { committed: false, current };
  }

  close(): void {
    this.open = false;
  }

  private guards(): Comparison[] {
    switch (this.isolation) {
      case "serializable-snapshot": {
        const first = this.reads.first();
        return first === undefined ? this.reads.guards() : [...this.reads.guards(), ...this.writes.guardsSince(first)];
      }
      case "serializable":
      case "repeatable-read":
        return this.reads.guards();
      case "read-committed":
        return [];
    }
  }

  private snapshot(): boolean {
    return this.isolation === "serializable-snapshot" || this.isolation === "serializable";
  }

  private readOptions(): { revision?: Revision; serializable?: boolean } {
    if (this.snapshot()) return this.pinned === undefined ? {} : { revision: this.pinned, serializable: true };
    return { serializable: true };
  }

  private checkOpen(): void {
    if (!this.open) throw invalidArgumentError("stm: this attempt is over (an STM must not be used after apply returned)");
  }
}

/**
 * A commit that failed by deadline, cancellation or a closed transport may have been sent and
 * applied: unless the transport already said so, it is marked `outcomeUnknown` (a definitive
 * answer from etcd, or "unavailable" — never sent, else the transport says "outcome-unknown" —
 * is left as is).
 */
function ambiguous(error: EtcdError): EtcdError {
  if (error.outcomeUnknown || !isEtcdError(error, ["deadline-exceeded", "canceled", "transport-closed", "unknown"])) return error;
  return new EtcdError(error.rawMessage, error.reason, error.code, { cause: error, metadata: error.metadata, outcomeUnknown: true });
}

/**
 * Throws "invalid-argument" unless `key` is a non-empty string.
 *
 * @example
 * ```ts
 * checkKey("accounts/a");
 * ```
 */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0) throw invalidArgumentError(`stm: a key must be a non-empty string, got ${typeName(key)}`);
}

/**
 * Resolves after `ms`.
 *
 * @example
 * ```ts
 * await sleep(5);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
