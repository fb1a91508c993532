/**
 * Shared setup of the leasing integration tests: transports to a real etcd (started by
 * @etcdkit/testing), leasing KVs closed at the end, unique prefixes and keys per test, and
 * small bounded waits.
 *
 * @example
 * const lkv = await leasing(connect([member.proxy!.url]), "pfx/");
 */
import type { Transport } from "@connectrpc/connect";
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";
import { outcomeUnknownError } from "@etcdkit/transport/internal";
import { createLeasingKV, type LeasingKV, type LeasingKVOptions } from "./index.js";

const opened: EtcdTransport[] = [];
const leasingKVs: LeasingKV[] = [];

/** A transport to `endpoints`, closed by `closeAll()`. */
export function connect(endpoints: readonly string[], options?: { dialTimeoutMs?: number; timeoutMs?: number }): EtcdTransport {
  const transport = createTransport({ endpoints: [...endpoints], dialTimeoutMs: options?.dialTimeoutMs ?? 2_000, timeoutMs: options?.timeoutMs });
  opened.push(transport);
  return transport;
}

/** A leasing KV, closed by `closeAll()`. */
export async function leasing(transport: Transport, prefix: string, options?: LeasingKVOptions): Promise<LeasingKV> {
  const lkv = await createLeasingKV(transport, prefix, { timeoutMs: 10_000, ...options });
  leasingKVs.push(lkv);
  return lkv;
}

/** Closes every leasing KV, then every transport, made by these helpers. */
export async function closeAll(): Promise<void> {
  await Promise.all(leasingKVs.splice(0).map((lkv) => lkv.close().catch(() => undefined)));
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
/** A fresh name per test (no two tests share keys or prefixes). */
export function unique(what: string): string {
  counter += 1;
  return `lt${process.pid}-${counter}-${what}`;
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

/** What `promise` rejects with (an Error "fulfilled" when it does not). */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return new Error("fulfilled");
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

/** The values of a get (for comparing a leasing KV's answer with etcd's). */
export function snapshot(result: { kvs: readonly { keyText(): string; text(): string; createRevision: bigint; modRevision: bigint; version: number; lease: bigint }[]; count: number }): unknown {
  return {
    count: result.count,
    kvs: result.kvs.map((kv) => ({ key: kv.keyText(), value: kv.text(), create: kv.createRevision, mod: kv.modRevision, version: kv.version, lease: kv.lease })),
  };
}

/**
 * A transport that passes every call to `inner`, except that the answer of the first unary call
 * `lose` picks is thrown away after etcd answered it: the call fails "outcome-unknown" although
 * etcd applied it (a reply lost on the way back, at a point in a multi-request operation a proxy
 * cannot single out).
 */
export function loseFirstAnswer(inner: Transport, lose: (method: string, input: unknown) => boolean): Transport & { readonly lost: number } {
  let lost = 0;
  return {
    get lost() {
      return lost;
    },
    async unary(method, signal, timeoutMs, header, input, contextValues) {
      const response = await inner.unary(method, signal, timeoutMs, header, input, contextValues);
      if (lost === 0 && lose(method.name, input)) {
        lost++;
        throw outcomeUnknownError(`etcdserverpb.KV/${method.name}`, new Error("the answer was lost on its way back (test fault)"));
      }
      return response;
    },
    stream: (method, signal, timeoutMs, header, input, contextValues) => inner.stream(method, signal, timeoutMs, header, input, contextValues),
  };
}

/**
 * A transport that passes every call to `inner`, except that unary calls `hold` picks wait (before
 * being sent) until `release()`: a request held up on its way out, e.g. an owner's delete of its
 * ownership key stuck behind a slow connection, while its other requests go through.
 */
export function holdRequests(inner: Transport, hold: (method: string, input: unknown) => boolean): Transport & { readonly held: number; release(): void } {
  let held = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    get held() {
      return held;
    },
    release: () => release(),
    async unary(method, signal, timeoutMs, header, input, contextValues) {
      if (hold(method.name, input)) {
        held++;
        await released;
      }
      return inner.unary(method, signal, timeoutMs, header, input, contextValues);
    },
    stream: (method, signal, timeoutMs, header, input, contextValues) => inner.stream(method, signal, timeoutMs, header, input, contextValues),
  };
}

/** JSON of a request message (bigints as strings), for matching requests in `holdRequests` / `loseFirstAnswer`. */
export function requestText(input: unknown): string {
  return JSON.stringify(input, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value instanceof Uint8Array ? new TextDecoder().decode(value) : value));
}
