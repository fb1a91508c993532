import { compareBytes, prefixRangeEnd, toOwnedBytes, type Bytes } from "@etcdkit/transport";
import { booleanOption, emptyKeyError, invalidArgumentError, ownOptions } from "@etcdkit/transport/internal";

/**
 * Selects a range of keys instead of a single key. Exactly one form at a time:
 *
 * - `{ prefix: true }`: every key starting with the key (an empty key: every key);
 * - `{ end: "z" }`: every key in `[key, end)`; `end: "\0"` means "every key >= key", as in etcd;
 * - `{ fromKey: true }`: every key greater than or equal to the key (an empty key: every key).
 *
 * @example
 * ```ts
 * await kv.range("app/", { prefix: true });
 * await kv.range("a", { end: "m" });
 * await kv.range("m", { fromKey: true });
 * ```
 */
export type RangeSelector =
  | { readonly prefix: true; readonly end?: never; readonly fromKey?: never }
  | { readonly end: Bytes; readonly prefix?: never; readonly fromKey?: never }
  | { readonly fromKey: true; readonly prefix?: never; readonly end?: never };

/**
 * The absence of a range selector: the options of a single-key operation.
 *
 * @example
 * ```ts
 * const single: SingleKeySelector = { prefix: false };
 * ```
 */
export interface SingleKeySelector {
  readonly prefix?: false;
  readonly fromKey?: false;
  readonly end?: never;
}

/**
 * A key range as etcd's wire format has it: `rangeEnd` empty → the single key `key`;
 * `rangeEnd` = `[0]` → every key >= `key`; otherwise `[key, rangeEnd)`. `key` = `[0]` with
 * `rangeEnd` = `[0]` is every key.
 *
 * @example
 * ```ts
 * const everything: WireRange = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };
 * ```
 */
export interface WireRange {
  readonly key: Uint8Array;
  readonly rangeEnd: Uint8Array;
}

/**
 * The empty byte array ops share (a single key's range end, the value of a put that keeps its
 * value): frozen, and holding no bytes, so nothing done to it reaches another op (a transfer of
 * its 0-byte buffer leaves it empty). Shared because V8 makes `new Uint8Array(0)` cost ~0.3 µs.
 *
 * @example
 * ```ts
 * const single: WireRange = { key: toOwnedBytes("k"), rangeEnd: noBytes };
 * ```
 */
export const noBytes: Uint8Array = Object.freeze(new Uint8Array(0));

/*
 * Non-empty arrays are fresh on every call, never module constants: a range is an op's, and an
 * op owns its bytes (a write into one op's `[0]`, or a transfer of its buffer, must not reach
 * other ops).
 */
const zeroKey = (): Uint8Array => new Uint8Array(1);
const fromKeyRangeEnd = zeroKey;

/**
 * Resolves a key and optional range selector into etcd's wire range, with Go's client semantics:
 * `prefix` → `[key, prefixRangeEnd(key))`, `fromKey` → `[key, "\0")`, and an empty key with
 * `prefix` or `fromKey` selects every key (`["\0", "\0")`). An empty key with an explicit `end`
 * starts at the smallest possible key `"\0"` (no key is empty). The result owns its bytes: every
 * non-empty array in it is a fresh Uint8Array over an ArrayBuffer of its own (a byte array given
 * as key or end is copied; `"\0"` keys and ends are new arrays, not shared constants), so reusing
 * the caller's arrays, or writing into another range's, changes no op built from it. A single
 * key's empty range end is the shared frozen `noBytes`.
 *
 * Throws `empty-key` (before any I/O) for an empty key without a range selector, and
 * `invalid-argument` for options that are not an object, more than one selector, or an empty end.
 * Only the selector's own properties count (see `ownOptions`).
 *
 * @example
 * ```ts
 * resolveRange("app/", { prefix: true }); // { key: "app/", rangeEnd: "app0" }
 * resolveRange("", { fromKey: true });     // { key: "\0", rangeEnd: "\0" } (all keys)
 * resolveRange("", undefined);             // throws EtcdError "empty-key"
 * ```
 */
export function resolveRange(key: Bytes, options: Partial<RangeSelectorFields> | undefined): WireRange {
  const selector = ownOptions(options); // own properties only: a polluted prototype selects nothing
  const bytes = toOwnedBytes(key);
  const prefix = booleanOption(selector.prefix, "prefix");
  const fromKey = booleanOption(selector.fromKey, "fromKey");
  if (Number(prefix) + Number(fromKey) + Number(selector.end !== undefined) > 1) {
    throw invalidArgumentError("prefix, fromKey and end select a range in different ways: give at most one");
  }
  if (prefix) {
    if (bytes.length === 0) return { key: zeroKey(), rangeEnd: fromKeyRangeEnd() };
    return { key: bytes, rangeEnd: prefixRangeEnd(bytes) };
  }
  if (fromKey) {
    return { key: bytes.length === 0 ? zeroKey() : bytes, rangeEnd: fromKeyRangeEnd() };
  }
  if (selector.end !== undefined) {
    const end = toOwnedBytes(selector.end);
    // Empty would silently mean "just the key"; a single key is asked for by giving no end.
    if (end.length === 0) throw invalidArgumentError('end must not be empty (omit it for a single key; "\\0" means every key from the key on)');
    return { key: bytes.length === 0 ? zeroKey() : bytes, rangeEnd: end };
  }
  if (bytes.length === 0) throw emptyKeyError();
  return { key: bytes, rangeEnd: noBytes };
}

/**
 * The fields a selector may carry, for code that reads a selector out of a larger options bag.
 *
 * @example
 * ```ts
 * const fields: Partial<RangeSelectorFields> = { prefix: true };
 * ```
 */
export interface RangeSelectorFields {
  readonly prefix: boolean;
  readonly fromKey: boolean;
  readonly end: Bytes;
}

/**
 * True when `key` lies in the wire range (etcd's rules, see WireRange). For tests and
 * client-side filtering.
 *
 * @example
 * ```ts
 * inWireRange(toBytes("app/x"), resolveRange("app/", { prefix: true })); // true
 * ```
 */
export function inWireRange(key: Uint8Array, range: WireRange): boolean {
  if (range.rangeEnd.length === 0) return compareBytes(key, range.key) === 0;
  if (compareBytes(key, range.key) < 0) return false;
  if (range.rangeEnd.length === 1 && range.rangeEnd[0] === 0) return true;
  return compareBytes(key, range.rangeEnd) < 0;
}
