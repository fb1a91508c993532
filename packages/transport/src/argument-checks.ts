/**
 * Checks of public arguments that every etcdkit package shares, so that bad input fails the same
 * way everywhere: an EtcdError "invalid-argument" before any I/O, naming what was expected.
 */
import type { Transport } from "@connectrpc/connect";
import { invalidArgumentError } from "./errors/client-errors.js";

/**
 * Whether `value` is an AbortSignal, including one from another realm (a vm context, a test
 * environment): an object with `aborted`, `addEventListener` and `removeEventListener` (a call
 * removes its listener when it settles).
 *
 * @example
 * ```ts
 * isAbortSignal(AbortSignal.timeout(100)); // true
 * isAbortSignal({});                       // false
 * ```
 */
export function isAbortSignal(value: unknown): value is AbortSignal {
  if (value instanceof AbortSignal) return true;
  const s = value as Partial<AbortSignal> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    typeof s.addEventListener === "function" &&
    typeof s.removeEventListener === "function" &&
    typeof s.aborted === "boolean"
  );
}

/**
 * The own properties of an options object, as a copy without a prototype: reading an option that
 * was not given yields undefined even when `Object.prototype` has been polluted (by a
 * prototype-pollution bug elsewhere in the process, e.g. `Object.prototype.prefix = true`), which
 * would otherwise turn `kv.delete("a", {})` into a prefix delete or switch snapshot verification
 * off. Every etcdkit package reads its option objects through this helper.
 *
 * Returns a shared empty object for undefined, and the object itself when it already has no
 * prototype (a copy made by this helper, or one made with `Object.create(null)`). Throws
 * EtcdError "invalid-argument" (naming `what`) for anything but an object: null, an array, a
 * function, a primitive.
 *
 * @example
 * ```ts
 * const o = ownOptions(options);        // { prefix: true } → the same properties, no prototype
 * const prefix = booleanOption(o.prefix, "prefix");
 * ownOptions(undefined).prefix;         // undefined, whatever Object.prototype holds
 * ```
 */
export function ownOptions<T extends object>(options: T | undefined, what = "options"): Partial<T> {
  if (options === undefined) return NO_OPTIONS as Partial<T>;
  checkOptionsObject(options, what);
  if (Object.getPrototypeOf(options) === null) return options;
  const own = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(options)) own[key] = (options as Record<string, unknown>)[key];
  return own as Partial<T>;
}

const NO_OPTIONS: object = Object.freeze(Object.create(null) as object);

/**
 * Checks per-call options (`CallOptions`): undefined or a (non-array) object whose `timeoutMs` is a number
 * (not NaN) and whose `signal` is an AbortSignal. Throws EtcdError "invalid-argument" otherwise.
 *
 * @example
 * ```ts
 * checkCallOptions({ timeoutMs: 2000 });            // ok
 * checkCallOptions({ timeoutMs: "2000" } as never); // throws invalid-argument
 * ```
 */
export function checkCallOptions(options: unknown): void {
  if (options === undefined) return;
  const { timeoutMs, signal } = ownOptions(options as { timeoutMs?: unknown; signal?: unknown });
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs))) {
    throw invalidArgumentError(`timeoutMs must be a number of milliseconds, got ${typeName(timeoutMs)}`);
  }
  if (signal !== undefined && !isAbortSignal(signal)) throw invalidArgumentError(`signal must be an AbortSignal, got ${typeName(signal)}`);
}

/**
 * Checks that an options argument is undefined or an object (not null, not an array: an array's
 * methods would be read as options). Throws EtcdError "invalid-argument" otherwise.
 *
 * @example
 * ```ts
 * checkOptionsObject({ prefix: true }); // ok
 * checkOptionsObject([]);               // throws invalid-argument: "options must be an object, got array"
 * ```
 */
export function checkOptionsObject(options: unknown, what = "options"): asserts options is object | undefined {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalidArgumentError(`${what} must be an object, got ${typeName(options)}`);
  }
}

/**
 * An optional boolean option: undefined is false; anything but a boolean (e.g. "true", 1) throws
 * EtcdError "invalid-argument" instead of silently counting as false.
 *
 * @example
 * ```ts
 * const prefix = booleanOption(options?.prefix, "prefix");
 * ```
 */
export function booleanOption(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value === "boolean") return value;
  throw invalidArgumentError(`${name} must be a boolean, got ${typeName(value)}`);
}

/**
 * Checks that a `create*` factory was given a Connect transport (an object with `unary` and
 * `stream`). Throws EtcdError "invalid-argument" otherwise, at creation, not at the first call.
 *
 * @example
 * ```ts
 * checkTransport(transport, "createKV");
 * ```
 */
export function checkTransport(value: unknown, factory: string): asserts value is Transport {
  const t = value as Partial<Transport> | null | undefined;
  if (typeof t?.unary !== "function" || typeof t.stream !== "function") {
    throw invalidArgumentError(`${factory}: the transport must be a Connect Transport (e.g. from createTransport), got ${typeName(value)}`);
  }
}

/**
 * What a wrongly typed argument is, for error messages: "undefined", "null", "number", "array",
 * "object (Foo)".
 *
 * @example
 * ```ts
 * typeName(5); // "number"
 * ```
 */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return `object (${(value as object).constructor?.name ?? "no prototype"})`;
  return typeof value;
}
