import type { EtcdError } from "../errors/etcd-error.js";
import { isAbortSignal } from "../argument-checks.js";
import { MAX_TIMER_MS } from "../call-options.js";
import { monotonicNow } from "../clock.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import { canceledError, deadlineError } from "./call-errors.js";
import type { CallReport } from "../observe/call-report.js";

/**
 * Whatever a call is currently waiting for (an HTTP/2 stream, a connection, a backoff sleep);
 * `abort` ends that wait with the call's error.
 *
 * @example
 * ```ts
 * ctx.waitingOn = { abort: (error) => reject(error) };
 * ```
 */
export interface Abortable {
  abort(error: EtcdError): void;
}

/**
 * The life of one call (all of its attempts): its deadline, its AbortSignal, and the one thing
 * it is currently waiting for. Cancelling the context (deadline, abort, transport close) records
 * the error and aborts the current wait (`waitingOn`), which resets a stream, stops a wait for a
 * connection, or ends a backoff sleep.
 *
 * At most one timer per call, and only when the call has a deadline.
 *
 * @example
 * ```ts
 * const ctx = new CallContext(calls, signal, 2000);
 * try {
 *   ctx.waitingOn = { abort: () => stream.close(NGHTTP2_CANCEL) };
 *   // ...
 * } finally {
 *   ctx.dispose();
 * }
 * ```
 */
export class CallContext {
  /** Absolute deadline (`monotonicNow()` ms), or Infinity. */
  readonly deadline: number;
  /** Set once the call was canceled, timed out, or the transport closed. */
  error: EtcdError | undefined = undefined;
  /** What the call waits for right now; replaced at every step. */
  waitingOn: Abortable | undefined = undefined;
  /** Set when an attempt of this call (a write) may have been applied by etcd. */
  mayHaveApplied = false;
  /** Where the transport reports the call's endpoint and attempts, when someone asked (see `callReport`). */
  report: CallReport | undefined = undefined;

  private timer: NodeJS.Timeout | undefined = undefined;
  /** The call's timeoutMs when it has a deadline. */
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  private abortListener: (() => void) | undefined = undefined;

  constructor(
    private readonly registry: Set<CallContext>,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ) {
    registry.add(this);
    this.signal = signal;
    const validTimeout = timeoutMs === undefined || (typeof timeoutMs === "number" && !Number.isNaN(timeoutMs));
    // Connect's Transport contract: 0 or less, Infinity, or beyond setTimeout's range (Node would
    // fire such a timer after 1 ms) is no deadline at all.
    const bounded = validTimeout && timeoutMs !== undefined && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS ? timeoutMs : undefined;
    this.deadline = bounded === undefined ? Infinity : monotonicNow() + bounded;
    this.timeoutMs = bounded ?? Infinity;
    if (!validTimeout) {
      this.cancel(invalidArgumentError("timeoutMs must be a number of milliseconds"));
    } else if (bounded !== undefined) {
      this.timer = setTimeout(() => this.cancel(deadlineError(bounded)), bounded);
    }
    if (signal !== undefined && !isAbortSignal(signal)) {
      this.cancel(invalidArgumentError("signal must be an AbortSignal"));
    } else if (signal !== undefined) {
      if (signal.aborted) {
        this.cancel(canceledError(signal.reason));
      } else {
        const listener = (): void => this.cancel(canceledError(signal.reason));
        this.abortListener = listener;
        signal.addEventListener("abort", listener, { once: true });
      }
    }
  }

  /** Ends the call with `error` (the first error wins) and aborts the current wait. */
  cancel(error: EtcdError): void {
    if (this.error !== undefined) return;
    this.error = error;
    const target = this.waitingOn;
    this.waitingOn = undefined;
    target?.abort(error);
  }

  /**
   * Ends the call with its deadline error when the deadline has passed but its timer has not run
   * yet: an event that raced the timer is then reported as what it is, the deadline. etcd gets the
   * deadline as grpc-timeout and answers it too (a reset, "request timed out", or for a token it
   * has not applied yet "invalid auth token"), and on a busy event loop that answer is read first;
   * it becomes the deadline error's cause (`lateAnswer`).
   */
  expireIfDue(lateAnswer?: EtcdError): void {
    if (this.error === undefined && this.deadline !== Infinity && monotonicNow() >= this.deadline) {
      this.cancel(deadlineError(this.timeoutMs, lateAnswer));
    }
  }

  /** Releases the timer and the signal listener; call once the call settled. */
  dispose(): void {
    this.registry.delete(this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.abortListener !== undefined) this.signal?.removeEventListener("abort", this.abortListener);
    this.waitingOn = undefined;
  }
}

/**
 * Sleeps `ms` unless the call is canceled first (then rejects with the call's error).
 *
 * @example
 * ```ts
 * await sleepFor(ctx, retryBackoffMs(attempt));
 * ```
 */
export function sleepFor(ctx: CallContext, ms: number): Promise<void> {
  if (ctx.error !== undefined) return Promise.reject(ctx.error);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ctx.waitingOn = undefined;
      resolve();
    }, ms);
    ctx.waitingOn = {
      abort(error) {
        clearTimeout(timer);
        reject(error);
      },
    };
  });
}

/**
 * Waits for `promise` unless the call is canceled first (then rejects with the call's error;
 * the promise itself keeps running, e.g. a shared authentication).
 *
 * @example
 * ```ts
 * const token = await untilCanceled(ctx, tokens.token());
 * ```
 */
export function untilCanceled<T>(ctx: CallContext, promise: Promise<T>): Promise<T> {
  if (ctx.error !== undefined) return Promise.reject(ctx.error);
  return new Promise<T>((resolve, reject) => {
    ctx.waitingOn = { abort: reject };
    promise.then(
      (value) => {
        ctx.waitingOn = undefined;
        resolve(value);
      },
      (error: unknown) => {
        ctx.waitingOn = undefined;
        reject(error);
      },
    );
  });
}
