import type { AppendOperation, KvOperation } from "./operation-types.js";
import type {
  FinalRead,
  LeaseRecord,
  LockRecord,
  NemesisRecord,
  TermSample,
  WatchBatchRecord,
  WatchRecord,
} from "./observation-types.js";

export type * from "./operation-types.js";
export type * from "./observation-types.js";

/**
 * The records of a history: every operation a client invoked, with monotonic invoke and return
 * times (ms, `monotonicNow()`), its arguments and its result or error. Keys and values are
 * strings (the workloads only write ASCII); revisions are bigints.
 *
 * @example
 * ```ts
 * const op: KvOperation = { type: "kv", id: 1, client: 0, workload: "register", input: { f: "get", key: "r/0" },
 *   invoke: 10, return: 12, status: "ok", output: { f: "get", value: null, modRevision: 0n, revision: 5n } };
 * ```
 */
export type HistoryRecord =
  | KvOperation
  | AppendOperation
  | WatchRecord
  | WatchBatchRecord
  | LeaseRecord
  | LockRecord
  | NemesisRecord
  | TermSample
  | FinalRead;
