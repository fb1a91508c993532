import { monotonicNow } from "@etcdkit/transport";
import { failureStatus, recordedError } from "./error-outcome.js";
import type { HistorySink } from "./history-sink.js";
import type { AppendMop, AppendOperation, HistoryRecord, KvInput, KvOperation, KvOutput, WorkloadName } from "./types.js";

/**
 * Counters of a recorder.
 *
 * @example
 * ```ts
 * console.log(recorder.stats.operations, recorder.stats.unknown);
 * ```
 */
export interface RecorderStats {
  /** KV operations and append transactions recorded. */
  readonly operations: number;
  readonly ok: number;
  readonly failed: number;
  /** Writes whose outcome was unknown. */
  readonly unknown: number;
}

/**
 * Records operations into a sink with monotonic invoke and return times, and hands out what
 * makes a history checkable: operation IDs, client IDs, and values no other write uses.
 * It wraps any client: the workloads pass the call to make as a function.
 *
 * @example
 * ```ts
 * const recorder = createRecorder(createMemorySink());
 * const client = recorder.newClient();
 * const value = recorder.uniqueValue(client);
 * const op = await recorder.kv(client, "register", { f: "put", key: "r/0", value }, async () => {
 *   const { revision } = await kv.put("r/0", value);
 *   return { f: "put", revision };
 * });
 * ```
 */
export interface Recorder {
  readonly sink: HistorySink;
  readonly stats: RecorderStats;
  /** A new client ID (one per SDK client / worker). */
  newClient(): number;
  /** A new record ID. */
  nextId(): number;
  /** A value no other write of this run uses: `c<client>-<n>`. */
  uniqueValue(client: number): string;
  /** A list element no other append uses. */
  nextElement(): number;
  /** Runs and records a KV operation; never throws (the error is in the record). */
  kv(client: number, workload: WorkloadName, input: KvInput, run: () => Promise<KvOutput>): Promise<KvOperation>;
  /**
   * Runs and records a list-append transaction. `run` returns the commit revision and the mops
   * with the reads' results, or undefined when the txn's guard failed (recorded as "fail").
   */
  append(
    client: number,
    planned: readonly AppendMop[],
    run: () => Promise<{ revision: bigint; mops: readonly AppendMop[] } | undefined>,
  ): Promise<AppendOperation>;
  /** Writes a record built elsewhere (watches, leases, faults, samples). */
  write(record: HistoryRecord): void;
}

const isWrite = (input: KvInput): boolean => input.f !== "get";

/**
 * Creates a recorder writing to `sink`.
 *
 * @example
 * ```ts
 * const recorder = createRecorder(createFileSink("/tmp/history.jsonl"));
 * ```
 */
export function createRecorder(sink: HistorySink): Recorder {
  let ids = 0;
  let clients = 0;
  let elements = 0;
  const sequences = new Map<number, number>();
  const stats = { operations: 0, ok: 0, failed: 0, unknown: 0 };
  const count = (status: "ok" | "fail" | "unknown"): void => {
    stats.operations++;
    if (status === "ok") stats.ok++;
    else if (status === "fail") stats.failed++;
    else stats.unknown++;
  };

  return {
    sink,
    get stats() {
      return { ...stats };
    },
    newClient: () => clients++,
    nextId: () => ++ids,
    uniqueValue(client) {
      const n = (sequences.get(client) ?? 0) + 1;
      sequences.set(client, n);
      return `c${client}-${n}`;
    },
    nextElement: () => ++elements,
    async kv(client, workload, input, run) {
      const id = ++ids;
      const invoke = monotonicNow();
      let op: KvOperation;
      try {
        const output = await run();
        op = { type: "kv", id, client, workload, input, invoke, return: monotonicNow(), status: "ok", output };
      } catch (err) {
        const error = recordedError(err);
        const status = failureStatus(error, isWrite(input));
        const returned = status === "unknown" ? Infinity : monotonicNow();
        op = { type: "kv", id, client, workload, input, invoke, return: returned, status, error };
      }
      count(op.status);
      sink.write(op);
      return op;
    },
    async append(client, planned, run) {
      const id = ++ids;
      const invoke = monotonicNow();
      let op: AppendOperation;
      try {
        const result = await run();
        op =
          result === undefined
            ? { type: "append", id, client, invoke, return: monotonicNow(), status: "fail", mops: planned }
            : { type: "append", id, client, invoke, return: monotonicNow(), status: "ok", revision: result.revision, mops: result.mops };
      } catch (err) {
        const error = recordedError(err);
        const status = failureStatus(error, planned.some((m) => m.f === "append"));
        const returned = status === "unknown" ? Infinity : monotonicNow();
        op = { type: "append", id, client, invoke, return: returned, status, mops: planned, error };
      }
      count(op.status);
      sink.write(op);
      return op;
    },
    write: (record) => sink.write(record),
  };
}
