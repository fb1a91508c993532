/**
 * How an operation ended:
 * - "ok": it returned a result;
 * - "fail": it failed and provably had no effect (a read that failed, a write refused);
 * - "unknown": a write failed but may have been applied (`outcomeUnknown`): its return time is
 *   Infinity, it may take effect at any point after its invocation.
 *
 * @example
 * ```ts
 * const status: OpStatus = "unknown";
 * ```
 */
export type OpStatus = "ok" | "fail" | "unknown";

/**
 * A failed call, as recorded.
 *
 * @example
 * ```ts
 * const error: RecordedError = { reason: "outcome-unknown", message: "connection lost", outcomeUnknown: true };
 * ```
 */
export interface RecordedError {
  readonly reason: string;
  readonly message: string;
  readonly outcomeUnknown: boolean;
}

/**
 * Which workload produced an operation; the linearizability checker searches only "register" keys,
 * the other checkers use them all.
 *
 * @example
 * ```ts
 * const workload: WorkloadName = "lease";
 * ```
 */
export type WorkloadName = "register" | "append" | "lease" | "serializable";

/**
 * A single-key KV operation. `value: null` means "absent". A CAS is a txn
 * `if(value == expect) then(put value) else(get)` (`expect: null`: if the key is missing).
 *
 * @example
 * ```ts
 * const input: KvInput = { f: "cas", key: "r/1", expect: "c1-4", value: "c2-9" };
 * ```
 */
export type KvInput =
  | { readonly f: "get"; readonly key: string; readonly serializable?: boolean }
  | { readonly f: "put"; readonly key: string; readonly value: string; readonly lease?: bigint }
  | { readonly f: "delete"; readonly key: string }
  | { readonly f: "cas"; readonly key: string; readonly expect: string | null; readonly value: string };

/**
 * The result of a KV operation. For a get (and a CAS whose guard failed: its else-branch get),
 * `modRevision` is the read key's (0n when absent) and `revision` the store revision read at.
 * `cached`: the read was answered from a client-side cache that is linearizable but cannot know
 * the store's current revision (a leasing KV's hit): `revision` is then only a lower bound (the
 * newest the client had seen), and the checkers place the read at any revision from its key's
 * current one on.
 *
 * @example
 * ```ts
 * const output: KvOutput = { f: "put", revision: 42n };
 * ```
 */
export type KvOutput =
  | { readonly f: "get"; readonly value: string | null; readonly modRevision: bigint; readonly revision: bigint; readonly cached?: boolean }
  | { readonly f: "put"; readonly revision: bigint }
  | { readonly f: "delete"; readonly revision: bigint; readonly deleted: number }
  | {
      readonly f: "cas";
      readonly succeeded: boolean;
      readonly revision: bigint;
      /** The else-branch read, when the guard failed. */
      readonly value?: string | null;
      readonly modRevision?: bigint;
      /** The failed guard and its read were answered from a client-side cache (see `cached` of a get). */
      readonly cached?: boolean;
    };

/**
 * One recorded KV operation.
 *
 * @example
 * ```ts
 * if (op.status === "unknown") console.log("open-ended", op.input);
 * ```
 */
export interface KvOperation {
  readonly type: "kv";
  readonly id: number;
  readonly client: number;
  readonly workload: WorkloadName;
  readonly input: KvInput;
  readonly invoke: number;
  /** Infinity when the outcome is unknown. */
  readonly return: number;
  readonly status: OpStatus;
  readonly output?: KvOutput;
  readonly error?: RecordedError;
}

/**
 * A micro-operation of a list-append transaction (Elle's model): read a key's list, or append
 * one unique element to it. Lists are stored as comma-separated decimal elements.
 *
 * @example
 * ```ts
 * const mops: AppendMop[] = [{ f: "r", key: "a/0", value: [1, 4] }, { f: "append", key: "a/1", value: 9 }];
 * ```
 */
export type AppendMop =
  | { readonly f: "r"; readonly key: string; readonly value: readonly number[] | null }
  | { readonly f: "append"; readonly key: string; readonly value: number };

/**
 * One recorded list-append transaction. `mops` holds the reads' results when the txn is "ok";
 * otherwise the reads' values are null.
 *
 * @example
 * ```ts
 * const txn: AppendOperation = { type: "append", id: 3, client: 1, invoke: 5, return: 9, status: "ok", revision: 12n, mops };
 * ```
 */
export interface AppendOperation {
  readonly type: "append";
  readonly id: number;
  readonly client: number;
  readonly invoke: number;
  readonly return: number;
  readonly status: OpStatus;
  /** The commit revision (ok only). */
  readonly revision?: bigint;
  readonly mops: readonly AppendMop[];
  readonly error?: RecordedError;
}
