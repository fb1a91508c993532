import type { OpStatus, RecordedError } from "./types.js";

/**
 * A failed call as a RecordedError. Reads `reason`, `message` and `outcomeUnknown` from the error
 * (an etcdkit `EtcdError`, or anything shaped like one, so other clients can be recorded too);
 * anything else is recorded with reason "unknown".
 *
 * @example
 * ```ts
 * try { await kv.put("k", "v"); } catch (err) { console.log(recordedError(err).reason); }
 * ```
 */
export function recordedError(err: unknown): RecordedError {
  if (typeof err === "object" && err !== null) {
    const e = err as { reason?: unknown; message?: unknown; rawMessage?: unknown; outcomeUnknown?: unknown };
    const reason = typeof e.reason === "string" ? e.reason : "unknown";
    const message = typeof e.rawMessage === "string" ? e.rawMessage : typeof e.message === "string" ? e.message : String(err);
    return { reason, message, outcomeUnknown: e.outcomeUnknown === true || reason === "outcome-unknown" };
  }
  return { reason: "unknown", message: String(err), outcomeUnknown: false };
}

/**
 * The status of a failed operation: a write whose error says its outcome is unknown
 * (`outcomeUnknown`, or reason "outcome-unknown") is "unknown" (open-ended: it may take effect
 * at any time after its invocation); every other failure is "fail" (no effect). A failed read
 * never has an effect.
 *
 * @example
 * ```ts
 * failureStatus(recordedError(err), true); // "unknown" for a put that lost its connection
 * ```
 */
export function failureStatus(error: RecordedError, isWrite: boolean): OpStatus {
  return isWrite && error.outcomeUnknown ? "unknown" : "fail";
}
