import type { Transport } from "@connectrpc/connect";
import { invalidArgumentError, type LeaseId } from "@etcdkit/transport";

/** The largest int64: lease IDs are int64 on the wire. */
const MAX_INT64 = 0x7fff_ffff_ffff_ffffn;

/**
 * Checks a lease ID before any I/O: a bigint from `min` (1n; 0n where it means "etcd picks one")
 * to 2^63 - 1. Throws EtcdError "invalid-argument" otherwise: a number ID would be sent but match
 * none of the client's leases, and an ID etcd cannot encode fails the shared keepalive stream
 * (losing every lease on it).
 *
 * @example
 * ```ts
 * checkLeaseId(0x694dn);    // ok
 * checkLeaseId(5 as never); // throws "invalid-argument"
 * checkLeaseId(0n, 0n);     // ok: grant's "let etcd pick"
 * ```
 */
export function checkLeaseId(id: unknown, min: 0n | 1n = 1n): asserts id is LeaseId {
  if (typeof id !== "bigint" || id < min || id > MAX_INT64) {
    const got = typeof id === "bigint" ? `${id}n` : typeof id;
    throw invalidArgumentError(`lease id must be a bigint from ${min}n to 2^63 - 1, got ${got}`);
  }
}

/**
 * Checks per-call options before any I/O (and before a call changes any state, e.g. `revoke`
 * stopping the keepalive): an object or undefined, `timeoutMs` a number (not NaN), `signal` an
 * AbortSignal, as the transport requires. Throws EtcdError "invalid-argument" otherwise.
 *
 * @example
 * ```ts
 * checkCallOptions({ timeoutMs: 2000, signal });
 * checkCallOptions({ timeoutMs: "2000" } as never); // throws "invalid-argument"
 * ```
 */
export function checkCallOptions(options: unknown): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) throw invalidArgumentError("lease: options must be an object");
  const { timeoutMs, signal } = options as { timeoutMs?: unknown; signal?: unknown };
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs))) {
    throw invalidArgumentError("timeoutMs must be a number of milliseconds");
  }
  if (signal !== undefined && !isAbortSignal(signal)) throw invalidArgumentError("signal must be an AbortSignal");
}

/**
 * Checks an optional boolean option (`keepAlive`, `keys`): anything else (e.g. "yes") would
 * silently be taken as false. Throws EtcdError "invalid-argument".
 *
 * @example
 * ```ts
 * checkBoolean(options?.keys, "keys");
 * ```
 */
export function checkBoolean(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== "boolean") throw invalidArgumentError(`lease: ${name} must be a boolean`);
}

/**
 * Checks that `value` is a Connect transport (has `unary` and `stream`). Throws EtcdError
 * "invalid-argument" otherwise.
 *
 * @example
 * ```ts
 * checkTransport(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));
 * ```
 */
export function checkTransport(value: unknown): asserts value is Transport {
  const t = value as Partial<Transport> | null | undefined;
  if (typeof t?.unary !== "function" || typeof t.stream !== "function") {
    throw invalidArgumentError("createLease: transport must be a Connect Transport (e.g. from createTransport)");
  }
}

/** As the transport decides: an AbortSignal, or one from another realm. */
function isAbortSignal(value: unknown): boolean {
  if (value instanceof AbortSignal) return true;
  const s = value as Partial<AbortSignal> | null;
  return typeof s === "object" && s !== null && typeof s.addEventListener === "function" && typeof s.aborted === "boolean";
}
