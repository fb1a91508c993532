import { Code } from "@connectrpc/connect";
import { EtcdError, MAX_TIMER_MS, monotonicNow, type CallOptions } from "@etcdkit/transport";
import { checkCallOptions, toEtcdError } from "@etcdkit/transport/internal";

/**
 * Options of every call that may wait (lock, campaign, dequeue, barrier waits, STM): like Go's
 * context. `signal` cancels (reason "canceled"); `timeoutMs` bounds the whole call, waiting
 * included (reason "deadline-exceeded"). Undefined `timeoutMs`: no overall deadline (each request
 * still has the transport's default); `Infinity` or more than about 24.8 days: none at all; 0 or
 * less: fails "deadline-exceeded" before any I/O; not a number: "invalid-argument".
 *
 * @example
 * ```ts
 * await using held = await mutex.lock({ signal: AbortSignal.timeout(60_000), timeoutMs: 10_000 });
 * ```
 */
export interface WaitOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

/** What a scope watches besides the caller's options: a session whose loss ends the wait. */
export interface ScopeOwner {
  readonly signal: AbortSignal;
}

/**
 * One waiting call's cancellation: the caller's signal, its overall deadline (monotonic clock)
 * and, when given, a session's loss, folded into one AbortSignal whose `reason` is the typed
 * EtcdError the call fails with. Every request made under the scope gets that signal and the
 * remaining time as its own deadline, so nothing outlives the call's deadline.
 *
 * @example
 * ```ts
 * using scope = WaitScope.open(options, "lock", session);
 * const { kv: current } = await kv.get(key, scope.callOptions());
 * ```
 */
export class WaitScope implements Disposable {
  private readonly controller = new AbortController();
  private readonly deadline: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly cleanups: (() => void)[] = [];

  private constructor(options: WaitOptions | undefined, private readonly what: string, owner: ScopeOwner | undefined, ownerError: (reason: unknown) => EtcdError) {
    const timeoutMs = options?.timeoutMs;
    if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) {
      this.deadline = monotonicNow() + timeoutMs;
      this.timer = setTimeout(() => this.expire(), timeoutMs);
    }
    this.follow(options?.signal, (reason) => canceledError(what, reason));
    this.follow(owner?.signal, ownerError);
  }

  /**
   * Opens a scope. Throws before any I/O: "invalid-argument" for malformed options,
   * "deadline-exceeded" for `timeoutMs <= 0`, "canceled" for an aborted signal, and the owner's
   * error (e.g. "session-expired") when the owner is already gone.
   */
  static open(options: WaitOptions | undefined, what: string, owner?: ScopeOwner, ownerError?: (reason: unknown) => EtcdError): WaitScope {
    checkCallOptions(options);
    if (options?.timeoutMs !== undefined && options.timeoutMs <= 0) throw deadlineError(what, options.timeoutMs);
    if (options?.signal?.aborted === true) throw canceledError(what, options.signal.reason);
    const toError = ownerError ?? ((reason: unknown) => toEtcdError(reason));
    if (owner?.signal.aborted === true) throw toError(owner.signal.reason);
    return new WaitScope(options, what, owner, toError);
  }

  /** Aborted (with the call's typed error as `reason`) when the call must end. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The typed error the call ends with, once the scope is aborted. */
  get reason(): EtcdError | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as EtcdError) : undefined;
  }

  /** Throws the scope's error if it is aborted. */
  throwIfAborted(): void {
    const reason = this.reason;
    if (reason !== undefined) throw reason;
  }

  /** Call options for one request under the scope: its signal and the time left as deadline. */
  callOptions(): CallOptions {
    this.throwIfAborted();
    if (this.deadline === undefined) return { signal: this.controller.signal };
    const left = this.deadline - monotonicNow();
    if (left <= 0) {
      this.expire();
      this.throwIfAborted();
    }
    return { signal: this.controller.signal, timeoutMs: Math.max(1, Math.ceil(left)) };
  }

  /**
   * The error a failure under the scope becomes: the scope's own reason when it is aborted (a
   * write's `outcomeUnknown` is kept: the write may have been applied), else the failure as an
   * EtcdError.
   */
  error(err: unknown): EtcdError {
    const reason = this.reason;
    const error = toEtcdError(err);
    if (reason === undefined || error === reason) return error;
    if (!error.outcomeUnknown) return reason;
    return new EtcdError(reason.rawMessage, reason.reason, reason.code, { cause: error, outcomeUnknown: true });
  }

  /** Resolves with `promise`, or rejects with the scope's error as soon as it is aborted. */
  race<T>(promise: Promise<T>): Promise<T> {
    this.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(this.reason);
      this.controller.signal.addEventListener("abort", onAbort, { once: true });
      promise.then(
        (value) => {
          this.controller.signal.removeEventListener("abort", onAbort);
          resolve(value);
        },
        (err: unknown) => {
          this.controller.signal.removeEventListener("abort", onAbort);
          reject(err);
        },
      );
    });
  }

  [Symbol.dispose](): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private follow(signal: AbortSignal | undefined, toError: (reason: unknown) => EtcdError): void {
    if (signal === undefined) return;
    const onAbort = (): void => this.abort(toError(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    this.cleanups.push(() => signal.removeEventListener("abort", onAbort));
  }

  private expire(): void {
    this.timer = undefined;
    this.abort(deadlineError(this.what, undefined));
  }

  private abort(error: EtcdError): void {
    if (!this.controller.signal.aborted) this.controller.abort(error);
    this[Symbol.dispose]();
  }
}

function deadlineError(what: string, timeoutMs: number | undefined): EtcdError {
  const detail = timeoutMs === undefined ? "its deadline passed" : `timeoutMs ${timeoutMs} leaves no time`;
  return new EtcdError(`${what}: ${detail}`, "deadline-exceeded", Code.DeadlineExceeded);
}

function canceledError(what: string, cause: unknown): EtcdError {
  return new EtcdError(`${what}: canceled by its signal`, "canceled", Code.Canceled, { cause });
}
