import type { Transport } from "@connectrpc/connect";
import { createKV, type RangeResult } from "@etcdkit/kv";
import { isEtcdError, type Bytes, type LeaseId, type Revision } from "@etcdkit/transport";
import { checkOptionsObject, checkTransport, invalidArgumentError, typeName } from "@etcdkit/transport/internal";
import { integerOption } from "./arguments.js";
import { stmConflictError } from "./errors.js";
import { Attempt, checkKey, Conflict, sleep } from "./stm-attempt.js";
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

