import { booleanOption, invalidArgumentError, isAbortSignal, typeName } from "@etcdkit/transport";
import type { SnapshotOptions } from "../maintenance.js";

/**
 * Checks the options of `snapshot()` before anything is opened: an object (or undefined) whose
 * `onProgress` is a function, `verify` and `end` booleans, and `signal` an AbortSignal, each when
 * given (`timeoutMs` is the transport's to check). Returns them (`{}` for undefined).
 *
 * Throws an EtcdError "invalid-argument" otherwise, so that a typo fails at once instead of after
 * the stream started (`onProgress`) or by being read as the default (`verify`, `end`).
 *
 * @example
 * ```ts
 * const options = checkSnapshotOptions({ onProgress: (p) => console.log(p.bytes), end: false });
 * ```
 */
export function checkSnapshotOptions(options: SnapshotOptions | undefined): SnapshotOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw invalidArgumentError("snapshot: options must be an object, e.g. { onProgress, signal, timeoutMs }");
  }
  const { onProgress, verify, end, signal } = options;
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw invalidArgumentError(`snapshot: onProgress must be a function, got ${typeName(onProgress)}`);
  }
  booleanOption(verify, "verify");
  booleanOption(end, "end");
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw invalidArgumentError(`snapshot: signal must be an AbortSignal, got ${typeName(signal)}`);
  }
  return options;
}
