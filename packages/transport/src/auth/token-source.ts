import { Code, ConnectError } from "@connectrpc/connect";
import { EtcdError, isEtcdError } from "../errors/etcd-error.js";
import type { EtcdErrorReason } from "../errors/etcd-error-reason.js";
import { toEtcdError } from "../errors/to-etcd-error.js";

/**
 * The auth token of a transport: fetched on first use, cached, shared by all calls.
 *
 * @example
 * ```ts
 * const token = await tokens.token(signal);
 * // ...the call fails with "invalid-auth-token":
 * tokens.invalidate(token);
 * const fresh = await tokens.token(signal);
 * ```
 */
export interface TokenSource {
  /**
   * The current token, authenticating when there is none. Concurrent callers share one
   * in-flight authenticate. A caller's `signal` only ends that caller's wait; the shared
   * authenticate is aborted once every waiter has given up. Rejects with the authenticate
   * error (not cached: the next call authenticates again) or, on abort, with an EtcdError
   * "canceled" / "deadline-exceeded".
   */
  token(signal?: AbortSignal): Promise<string>;
  /** Forgets the token, but only if `staleToken` is still the current one. */
  invalidate(staleToken: string): void;
  /** How many times authenticate has run. */
  readonly authentications: number;
}

interface Flight {
  readonly promise: Promise<string>;
  readonly controller: AbortController;
  waiters: number;
}

/**
 * A TokenSource around `authenticate` (which sends the Authenticate RPC; it receives an
 * AbortSignal that fires when no caller is waiting any more).
 *
 * @example
 * ```ts
 * const tokens = createTokenSource(async (signal) => {
 *   const response = await auth.authenticate({ name, password }, { signal });
 *   return response.token;
 * });
 * ```
 */
export function createTokenSource(authenticate: (signal?: AbortSignal) => Promise<string>): TokenSource {
  let current: string | undefined;
  let flight: Flight | undefined;
  let authentications = 0;

  const start = (): Flight => {
    const controller = new AbortController();
    authentications++;
    const started: Flight = {
      controller,
      waiters: 0,
      promise: Promise.resolve()
        .then(() => authenticate(controller.signal))
        .then(
          (token) => {
            if (flight === started) {
              current = token;
              flight = undefined;
            }
            return token;
          },
          (error: unknown) => {
            if (flight === started) flight = undefined;
            throw error;
          },
        ),
    };
    // Waiters may all leave before it settles; the rejection must not go unhandled then.
    started.promise.catch(() => {});
    return started;
  };

  const leave = (left: Flight, reason: unknown): void => {
    left.waiters--;
    if (left.waiters === 0 && flight === left) {
      flight = undefined;
      left.controller.abort(reason);
    }
  };

  return {
    get authentications() {
      return authentications;
    },

    token(signal?: AbortSignal): Promise<string> {
      if (signal?.aborted) return Promise.reject(abortError(signal));
      if (current !== undefined) return Promise.resolve(current);
      const joined = (flight ??= start());
      joined.waiters++;
      if (signal === undefined) return joined.promise;
      return new Promise<string>((resolve, reject) => {
        const onAbort = (): void => {
          reject(abortError(signal));
          leave(joined, signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        joined.promise.then(
          (token) => {
            signal.removeEventListener("abort", onAbort);
            resolve(token);
          },
          (error: unknown) => {
            signal.removeEventListener("abort", onAbort);
            reject(error);
          },
        );
      });
    },

    invalidate(staleToken: string): void {
      if (current === staleToken) current = undefined;
    },
  };
}

/**
 * True for the errors after which etcd wants a fresh token: "invalid-auth-token" (expired or
 * unknown token) and "auth-old-revision" (the auth store changed since the token was issued).
 * The transport then invalidates the token, re-authenticates once and retries the call.
 *
 * @example
 * ```ts
 * if (isStaleTokenError(err)) {
 *   tokens.invalidate(usedToken);
 *   return call(await tokens.token(signal));
 * }
 * ```
 */
export function isStaleTokenError(error: unknown): boolean {
  const etcdError = error instanceof ConnectError ? toEtcdError(error) : error;
  return isEtcdError(etcdError, staleTokenReasons);
}

const staleTokenReasons: readonly EtcdErrorReason[] = ["invalid-auth-token", "auth-old-revision"];

/** The rejection for an aborted wait: the signal's reason as an EtcdError ("canceled" unless it says otherwise). */
function abortError(signal: AbortSignal): EtcdError {
  const reason: unknown = signal.reason;
  if (isEtcdError(reason)) return reason;
  if (reason instanceof Error && (reason.name === "AbortError" || reason.name === "TimeoutError")) {
    return toEtcdError(reason);
  }
  return new EtcdError("the call was canceled", "canceled", Code.Canceled, { cause: reason });
}
