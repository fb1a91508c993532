import type { EtcdError, Revision } from "@etcdkit/transport";

/**
 * `Watch.ready` without paying for it until someone asks: the state of one watch's `ready` is a
 * single field holding one of
 *
 * - `undefined`: nothing happened and nobody asked;
 * - a revision: etcd registered the watch there, nobody asked yet;
 * - a `ReadyWaiter`: someone asked before it settled (its resolvers, kept until it does);
 * - a promise: settled (or handed out settled).
 *
 * The functions here take the current state and return the next one.
 */
export type ReadyState = Revision | ReadyWaiter | Promise<Revision> | undefined;

/** `ready` asked for before it settled: the promise handed out and its resolvers. */
export interface ReadyWaiter {
  readonly promise: Promise<Revision>;
  resolve(revision: Revision): void;
  reject(error: EtcdError): void;
}

/**
 * True while someone waits for `ready` and it has not settled.
 *
 * @example
 * ```ts
 * if (isReadyWaiter(state)) state.reject(error);
 * ```
 */
export function isReadyWaiter(state: ReadyState): state is ReadyWaiter {
  return typeof state === "object" && !(state instanceof Promise);
}

/**
 * The state after someone asked for `ready` (read the promise with `readyPromise`); a watch that
 * ended before anyone asked answers with its error instead (its owner's job: it knows the error).
 *
 * @example
 * ```ts
 * this.readyState = askReady(this.readyState);
 * return readyPromise(this.readyState);
 * ```
 */
export function askReady(state: ReadyState): Promise<Revision> | ReadyWaiter {
  if (state instanceof Promise) return state;
  if (typeof state === "bigint") return Promise.resolve(state);
  if (state !== undefined) return state;
  let resolve!: (revision: Revision) => void;
  let reject!: (error: EtcdError) => void;
  const promise = new Promise<Revision>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * The promise of a state returned by `askReady`.
 *
 * @example
 * ```ts
 * readyPromise(askReady(undefined)); // pending until settled
 * ```
 */
export function readyPromise(state: Promise<Revision> | ReadyWaiter): Promise<Revision> {
  return state instanceof Promise ? state : state.promise;
}

/**
 * The state once etcd registered the watch at `revision` (the first time): a waiting `ready`
 * resolves; otherwise the revision is kept for whoever asks later.
 *
 * @example
 * ```ts
 * this.readyState = readyResolved(this.readyState, created);
 * ```
 */
export function readyResolved(state: ReadyState, revision: Revision): ReadyState {
  if (state === undefined) return revision;
  if (isReadyWaiter(state)) {
    state.resolve(revision);
    return state.promise;
  }
  return state;
}

/**
 * The state once `ready` fails with `error` before it settled. `evenUnasked`: also when nobody
 * asked yet (a failed attempt to register the watch: whoever asks later learns it), else only a
 * waiting `ready` is rejected (the watch ended: whoever asks later gets the error from the watch).
 *
 * @example
 * ```ts
 * this.readyState = readyRejected(this.readyState, error, true);
 * ```
 */
export function readyRejected(state: ReadyState, error: EtcdError, evenUnasked: boolean): ReadyState {
  if (state === undefined) return evenUnasked ? rejected(error) : state;
  if (isReadyWaiter(state)) {
    state.reject(error);
    return state.promise;
  }
  return state;
}

/**
 * A rejected promise that is never reported as unhandled (it is handed to a resolver at once or
 * kept for whoever asks).
 *
 * @example
 * ```ts
 * waiter(rejected(error));
 * ```
 */
export function rejected(error: EtcdError): Promise<never> {
  const promise = Promise.reject(error);
  promise.catch(() => {});
  return promise;
}
