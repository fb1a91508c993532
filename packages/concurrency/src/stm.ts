import type { Transport } from "@connectrpc/connect";
import { createKV, op, type Comparison, type GetOp, type KV, type RangeResult } from "@etcdkit/kv";
import {
  bytesToText,
  checkOptionsObject,
  checkTransport,
  EtcdError,
  invalidArgumentError,
  isEtcdError,
  toBytes,
  typeName,
  type Bytes,
  type LeaseId,
  type Revision,
} from "@etcdkit/transport";
import { integerOption } from "./arguments.js";
import { stmConflictError } from "./errors.js";
import { ReadSet, WriteSet } from "./stm-sets.js";
import { WaitScope, type WaitOptions } from "./wait-scope.js";

/**
 * How an STM transaction is isolated from concurrent ones (Go's `concurrency.Isolation`):
 *
 * - `"serializable-snapshot"` (default): every read sees the revision of the first read, and the
 *   commit fails (and retries) if any key read *or written* changed since: serializable, and no
 *   write skew over the keys it writes.
 * - `"serializable"`: reads from the first read's revision; the commit checks the keys read.
 * - `"repeatable-read"`: each key is read once (from the nearest member) and the commit checks
 *   that no key read changed since it was read.
 * - `"read-committed"`: reads from the nearest member, no checks at commit: the writes apply
 *   whatever changed meanwhile, so a read-modify-write can lose a concurrent update.
 *
 * @example
 * ```ts
 * await runSTM(transport, apply, { isolation: "repeatable-read" });
 * ```
 */
export type Isolation = "serializable-snapshot" | "serializable" | "repeatable-read" | "read-committed";

const isolations: ReadonlySet<string> = new Set<Isolation>(["serializable-snapshot", "serializable", "repeatable-read", "read-committed"]);

/**
 * The transaction handed to the `apply` function of `runSTM`. Reads go to etcd (once per key per
 * attempt); writes are buffered and sent together, guarded, at commit.
 *
 * @example
 * ```ts
 * await runSTM(transport, async (stm) => {
 *   const from = Number(await stm.get("accounts/a"));
 *   stm.put("accounts/a", String(from - 10));
 *   stm.put("accounts/b", String(Number(await stm.get("accounts/b")) + 10));
 * });
 * ```
 */
export interface STM {
  /** The key's value as text ("" when it does not exist, as in Go), or what this attempt wrote to it. */
  get(key: string): Promise<string>;
  /** The key's mod revision as read by this attempt (0n when it does not exist). */
  rev(key: string): Promise<Revision>;
  /** Buffers a put of `key` (optionally attached to a lease). */
  put(key: string, value: Bytes, options?: { readonly lease?: LeaseId }): void;
  /** Buffers a delete of `key`. */
  delete(key: string): void;
}

/**
 * Options of `runSTM`. `signal` / `timeoutMs` bound the whole run, retries included.
 *
 * @example
 * ```ts
 * const options: STMOptions = { isolation: "serializable", prefetch: ["a", "b"], maxAttempts: 50, timeoutMs: 5_000 };
 * ```
 */
export interface STMOptions extends WaitOptions {
  /** Default "serializable-snapshot". */
  readonly isolation?: Isolation;
  /** Keys to read in one round trip before `apply` runs (Go's `WithPrefetch`). */
  readonly prefetch?: readonly string[];
  /** Attempts before giving up with "stm-conflict" (default 32). */
  readonly maxAttempts?: number;
}

/**
 * What `runSTM` resolves with: `apply`'s return value from the attempt that committed, the
 * commit's store revision, and how many attempts it took.
 *
 * @example
 * ```ts
 * const { value, revision, attempts } = await runSTM(transport, (stm) => stm.get("a"));
 * ```
 */
export interface STMResult<T> {
  readonly value: T;
  readonly revision: Revision;
  readonly attempts: number;
}

/** Backoff between attempts after a conflict: full jitter on 2^n × 5 ms, at most 250 ms. */
const BACKOFF_BASE_MS = 5;
const BACKOFF_CAP_MS = 250;

/**
 * Runs `apply` as a software transactional memory transaction (Go's `concurrency.NewSTM`): its
 * reads are recorded, its writes buffered, and at the end everything is committed in one txn
 * guarded by the isolation level's conditions. When a guard fails (a concurrent write), the txn
 * applied nothing, and `apply` runs again — after a short randomized backoff, at most
 * `maxAttempts` times, then "stm-conflict". `apply` may run several times: keep it free of
 * other side effects.
 *
 * A commit whose outcome is unknown (the connection broke after it was sent, a deadline…) is
 * never run again: it fails with that error (`outcomeUnknown: true`), because it may have been
 * applied (running it again would apply a transfer twice: etcd-io/etcd#18424, Jepsen's etcd
 * analysis #14890). Read back before deciding.
 *
 * Throws "invalid-argument" (bad options, an unknown isolation, a key that is not a non-empty
 * string), "deadline-exceeded" / "canceled", "stm-conflict", whatever `apply` throws (nothing is
 * committed then), and the transport's errors.
 *
 * @example
 * ```ts
 * const { value } = await runSTM(transport, async (stm) => {
 *   const next = Number(await stm.get("counter")) + 1;
 *   stm.put("counter", String(next));
 *   return next;
 * });
 * ```
 */
export async function runSTM<T>(transport: Transport, apply: (stm: STM) => T | Promise<T>, options?: STMOptions): Promise<STMResult<T>> {
  checkTransport(transport, "runSTM");
  if (typeof apply !== "function") throw invalidArgumentError(`runSTM: apply must be a function, got ${typeName(apply)}`);
  checkOptionsObject(options);
  const isolation = options?.isolation ?? "serializable-snapshot";
  if (!isolations.has(isolation)) throw invalidArgumentError(`runSTM: unknown isolation ${JSON.stringify(isolation)}`);
  const maxAttempts = integerOption(options?.maxAttempts, "runSTM: maxAttempts", 1, 1_000_000, 32);
  const prefetch = options?.prefetch ?? [];
  if (!Array.isArray(prefetch)) throw invalidArgumentError("runSTM: prefetch must be an array of keys");
  for (const key of prefetch) checkKey(key);
  using scope = WaitScope.open(options, "runSTM");
  const kv = createKV(transport);
  let carried: Map<string, RangeResult> | undefined;
  for (let attempt = 1; ; attempt++) {
    const txn = new Attempt(kv, isolation, scope, carried);
    try {
      if (prefetch.length > 0) await txn.fetch(prefetch);
      const value = await apply(txn);
      const commit = await txn.commit();
      if (commit.committed) return { value, revision: commit.revision, attempts: attempt };
      carried = commit.current;
    } catch (err) {
      if (!(err instanceof Conflict)) throw isEtcdError(err) ? scope.error(err) : err;
      carried = undefined;
    } finally {
      txn.close();
    }
    if (attempt >= maxAttempts) throw stmConflictError(attempt);
    await scope.race(sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1))));
  }
}

/** A pinned read hit a compacted revision: the attempt is retried from a fresh snapshot. */
class Conflict extends Error {}

class Attempt implements STM {
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

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0) throw invalidArgumentError(`stm: a key must be a non-empty string, got ${typeName(key)}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
