import { Code } from "@connectrpc/connect";
import { EtcdError, isEtcdError, MAX_TIMER_MS, monotonicNow, type CallOptions } from "@etcdkit/transport";
import { checkCallOptions, noTimeLeftError, ownOptions, toEtcdError } from "@etcdkit/transport/internal";

/**
 * One call of the leasing KV, which may take several requests (a guarded txn, a wait for an
 * owner to give a key up, a retry): its `signal` (the caller's, and the KV's own, aborted by
 * `close()`) and its deadline, on the monotonic clock.
 *
 * - `timeoutMs` given: one deadline for the whole call; each request gets what is left.
 * - `timeoutMs` undefined: each request gets the transport's default deadline, and a wait for an
 *   owner to give a key up lasts at most `defaultWaitMs`.
 * - `timeoutMs: Infinity` (or beyond MAX_TIMER_MS): no deadline at all.
 *
 * Throws (before any I/O) "invalid-argument" for malformed options, "deadline-exceeded" for
 * `timeoutMs <= 0` and "canceled" for an aborted signal.
 *
 * @example
 * ```ts
 * const scope = new CallScope(options, closed.signal);
 * await kv.do(txn, scope.request());
 * ```
 */
export class CallScope {
  readonly signal: AbortSignal;
  /** Monotonic deadline of the whole call; undefined: none of its own. */
  private readonly deadline: number | undefined;
  private readonly unbounded: boolean;

  constructor(options: CallOptions | undefined, closed: AbortSignal) {
    const own = ownOptions(options); // own properties only: nothing inherited from a polluted Object.prototype
    checkCallOptions(own);
    const timeoutMs = own.timeoutMs;
    if (timeoutMs !== undefined && timeoutMs <= 0) throw noTimeLeftError(timeoutMs);
    this.unbounded = timeoutMs !== undefined && timeoutMs > MAX_TIMER_MS;
    this.deadline = timeoutMs === undefined || this.unbounded ? undefined : monotonicNow() + timeoutMs;
    const user = own.signal;
    // A signal of its own per call (never `closed` itself): requests add abort listeners to it,
    // and many calls in flight would otherwise pile them up on the one shared signal.
    this.signal = AbortSignal.any(user === undefined ? [closed] : [user, closed]);
    this.throwIfDone();
  }

  /** Throws "canceled" once the signal aborted, "deadline-exceeded" once the deadline passed. */
  throwIfDone(what = "the call"): void {
    if (this.signal.aborted) throw abortError(this.signal, what);
    if (this.deadline !== undefined && monotonicNow() >= this.deadline) throw deadlineError(what);
  }

  /** Call options for the next request of this call (throws as `throwIfDone` when none is left). */
  request(): CallOptions {
    this.throwIfDone();
    const options = Object.create(null) as { signal: AbortSignal; timeoutMs?: number }; // nothing inherited, whatever Object.prototype holds
    options.signal = this.signal;
    if (this.unbounded) options.timeoutMs = Infinity;
    else if (this.deadline !== undefined) options.timeoutMs = Math.max(1, this.deadline - monotonicNow());
    return options;
  }

  /** The monotonic time a wait inside this call may last until (Infinity: no bound). */
  waitUntil(defaultWaitMs: number): number {
    if (this.deadline !== undefined) return this.deadline;
    if (this.unbounded || defaultWaitMs === Infinity) return Infinity;
    return monotonicNow() + defaultWaitMs;
  }
}

/**
 * The error of a call ended by its signal, as the transport reports one: the signal's reason
 * when it is an EtcdError (the leasing KV's own "closed"), "deadline-exceeded" for
 * `AbortSignal.timeout()`, else "canceled".
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortError(signal, "the put");
 * ```
 */
export function abortError(signal: AbortSignal, what: string): EtcdError {
  const reason: unknown = signal.reason;
  if (isEtcdError(reason)) return reason;
  if (reason instanceof Error && reason.name === "TimeoutError") return toEtcdError(reason); // AbortSignal.timeout(): deadline-exceeded, as the transport says
  return new EtcdError(`${what} was canceled`, "canceled", Code.Canceled, { cause: reason });
}

/**
 * The error of a call whose deadline passed while it waited.
 *
 * @example
 * ```ts
 * throw deadlineError("waiting for the owner of config to give it up");
 * ```
 */
export function deadlineError(what: string): EtcdError {
  return new EtcdError(`deadline exceeded: ${what}`, "deadline-exceeded", Code.DeadlineExceeded);
}
