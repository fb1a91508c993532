import { Code, ConnectError } from "@connectrpc/connect";
import { monotonicNow } from "../clock.js";
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
  /** Records that the member at `url` accepted `token` (a call with it succeeded there). */
  accepted(token: string, url: string): void;
  /**
   * True when a rejection of `token` by the member at `url` may only mean that this member has
   * not applied the Authenticate that created it yet: `token` is the current token, another
   * member issued it less than TOKEN_APPLY_GRACE_MS ago, and `url` never accepted it. etcd
   * registers a simple token on each member when that member applies the Authenticate entry,
   * so a lagging follower does not know a token the leader just issued. Such a rejection must
   * not throw the token away for everyone (and cost another Authenticate).
   */
  mayBeUnapplied(token: string, url: string): boolean;
  /** The endpoint that issued `token`, when it is the current token and that is known. */
  issuer(token: string): string | undefined;
  /** How many times authenticate has run. */
  readonly authentications: number;
}

/**
 * What an authenticate function may return: the token, and the endpoint that issued it (the
 * member that has certainly applied it).
 *
 * @example
 * ```ts
 * const issued: IssuedToken = { token: response.message.token, issuer: response.url };
 * ```
 */
export interface IssuedToken {
  readonly token: string;
  readonly issuer?: string | undefined;
}

/**
 * How long after its Authenticate a token rejected by a member other than its issuer is taken
 * for "not applied there yet" rather than for stale (members lag behind the leader by
 * milliseconds normally, seconds when unhealthy; etcd's simple tokens live 300 s by default).
 *
 * @example
 * ```ts
 * const stillFresh = monotonicNow() - issuedAt < TOKEN_APPLY_GRACE_MS;
 * ```
 */
export const TOKEN_APPLY_GRACE_MS = 5_000;

interface Current {
  readonly token: string;
  readonly issuer: string | undefined;
  /** `monotonicNow()` when the Authenticate answered. */
  readonly at: number;
  /** Endpoints where a call with this token succeeded. */
  readonly acceptedBy: Set<string>;
}

interface Flight {
  readonly promise: Promise<string>;
  readonly controller: AbortController;
  waiters: number;
}

/**
 * A TokenSource around `authenticate` (which sends the Authenticate RPC; it receives an
 * AbortSignal that fires when no caller is waiting any more, and returns the token, or the
 * token with the endpoint that issued it).
 *
 * @example
 * ```ts
 * const tokens = createTokenSource(async (signal) => {
 *   const response = await auth.authenticate({ name, password }, { signal });
 *   return response.token;
 * });
 * ```
 */
export function createTokenSource(authenticate: (signal?: AbortSignal) => Promise<string | IssuedToken>): TokenSource {
  let current: Current | undefined;
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
          (result) => {
            const { token, issuer } = typeof result === "string" ? { token: result, issuer: undefined } : result;
            if (flight === started) {
              const acceptedBy = new Set<string>();
              if (issuer !== undefined) acceptedBy.add(issuer);
              current = { token, issuer, at: monotonicNow(), acceptedBy };
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
      if (current !== undefined) return Promise.resolve(current.token);
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
      if (current?.token === staleToken) current = undefined;
    },

    accepted(token: string, url: string): void {
      if (current?.token === token) current.acceptedBy.add(url);
    },

    mayBeUnapplied(token: string, url: string): boolean {
      const c = current;
      return (
        c !== undefined &&
        c.token === token &&
        token !== "" &&
        c.issuer !== undefined &&
        !c.acceptedBy.has(url) &&
        monotonicNow() - c.at < TOKEN_APPLY_GRACE_MS
      );
    },

    issuer(token: string): string | undefined {
      return current?.token === token ? current.issuer : undefined;
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
