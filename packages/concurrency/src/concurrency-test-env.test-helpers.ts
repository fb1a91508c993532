/**
 * Shared setup of the concurrency integration tests: transports to a real etcd (started by
 * @etcdkit/testing), unique names per test, and small polling helpers.
 *
 * @example
 * const transport = connect(cluster.endpoints);
 * const name = uniqueName("mutex");
 */
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";

/** A transport to `endpoints`, closed by `closeAll()`. */
export function connect(endpoints: readonly string[], options?: { dialTimeoutMs?: number }): EtcdTransport {
  const transport = createTransport({ endpoints: [...endpoints], dialTimeoutMs: options?.dialTimeoutMs ?? 2_000 });
  opened.push(transport);
  return transport;
}

const opened: EtcdTransport[] = [];

/** Closes every transport made by `connect`. */
export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((t) => t.close()));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 25 ms until it returns true; throws after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

let counter = 0;
/** A fresh name per test (no two tests share keys). */
export function uniqueName(what: string): string {
  counter += 1;
  return `/concurrency-test/${process.pid}/${what}/${counter}`;
}

/** The reason of what `promise` rejects with ("fulfilled" when it does not). */
export async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "fulfilled";
  } catch (err) {
    return isEtcdError(err) ? err.reason : `not an EtcdError: ${String(err)}`;
  }
}

/** Whether `promise` is still pending after `ms` (a bounded check that something keeps waiting). */
export async function stillPending(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const marker = Symbol("pending");
  const outcome = await Promise.race([promise.then(() => "settled", () => "settled"), sleep(ms).then(() => marker)]);
  return outcome === marker;
}

/** What `promise` resolves with, or "still pending" when it has not settled within `ms` (a bounded wait). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | "still pending"> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<"still pending">((resolve) => (timer = setTimeout(() => resolve("still pending"), ms)));
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}
