import { connectCallOptions } from "@etcdkit/transport";
import { booleanOption, invalidArgumentError, isAbortSignal, ownOptions, typeName } from "@etcdkit/transport/internal";
import type { SnapshotOptions } from "../maintenance.js";

/**
 * Checks the options of `snapshot()` before anything is opened or addressed: an object (or
 * undefined) whose `onProgress` is a function, `verify` and `end` booleans, `signal` an
 * AbortSignal, `timeoutMs` a number and `maxBytes` a positive integer, each when given. Returns
 * their own properties (see `ownOptions`), as an object without a prototype.
 *
 * Throws an EtcdError "invalid-argument" otherwise, so that a typo fails at once instead of after
 * the stream started (`onProgress`) or by being read as the default (`verify`, `end`), and
 * "deadline-exceeded" for a `timeoutMs` of 0 or less (no time left).
 *
 * @example
 * ```ts
 * const options = checkSnapshotOptions({ onProgress: (p) => console.log(p.bytes), end: false });
 * ```
 */
export function checkSnapshotOptions(given: SnapshotOptions | undefined): SnapshotOptions {
  if (given !== undefined && (typeof given !== "object" || given === null)) {
    throw invalidArgumentError("snapshot: options must be an object, e.g. { onProgress, signal, timeoutMs }");
  }
  // Own properties only: a polluted Object.prototype must not switch verification off.
  const options = ownOptions(given, "snapshot: options");
  const { onProgress, verify, end, signal, maxBytes } = options;
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw invalidArgumentError(`snapshot: onProgress must be a function, got ${typeName(onProgress)}`);
  }
  booleanOption(verify, "verify");
  booleanOption(end, "end");
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw invalidArgumentError(`snapshot: signal must be an AbortSignal, got ${typeName(signal)}`);
  }
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)) {
    throw invalidArgumentError(`snapshot: maxBytes must be a positive integer number of bytes, got ${String(maxBytes)}`);
  }
  connectCallOptions(options); // timeoutMs: a number; 0 or less is no time left
  return options;
}
