import { compareBytes } from "@etcdkit/transport";

/**
 * A key's bytes as a string usable as a Map key: one UTF-16 code unit per byte (so any byte
 * sequence, UTF-8 or not, maps to exactly one id and back).
 *
 * @example
 * ```ts
 * keyId(toBytes("config")); // "config"
 * ```
 */
export function keyId(bytes: Uint8Array): string {
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return out;
}

/** Arguments per `String.fromCharCode.apply` call: far below every engine's argument limit. */
const CHUNK = 4096;

/**
 * A key range in etcd's wire form: `rangeEnd` empty is the single key `key`; `rangeEnd` `[0]`
 * is every key from `key` on; otherwise `[key, rangeEnd)`.
 *
 * @example
 * ```ts
 * const everything: KeyRange = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };
 * ```
 */
export interface KeyRange {
  readonly key: Uint8Array;
  readonly rangeEnd: Uint8Array;
}

/**
 * Whether `range` selects more than its single key.
 *
 * @example
 * ```ts
 * isRange(op.get("a", { prefix: true })); // true
 * ```
 */
export function isRange(range: KeyRange): boolean {
  return range.rangeEnd.length > 0;
}

/**
 * Whether `rangeEnd` means "to the end of the keyspace" (`[0]`).
 *
 * @example
 * ```ts
 * isOpenEnd(new Uint8Array([0])); // true
 * ```
 */
export function isOpenEnd(rangeEnd: Uint8Array): boolean {
  return rangeEnd.length === 1 && rangeEnd[0] === 0;
}

/**
 * Whether `key` lies in `range` (etcd's rules, see KeyRange).
 *
 * @example
 * ```ts
 * inRange(toBytes("app/x"), { key: toBytes("app/"), rangeEnd: toBytes("app0") }); // true
 * ```
 */
export function inRange(key: Uint8Array, range: KeyRange): boolean {
  if (range.rangeEnd.length === 0) return compareBytes(key, range.key) === 0;
  if (compareBytes(key, range.key) < 0) return false;
  return isOpenEnd(range.rangeEnd) || compareBytes(key, range.rangeEnd) < 0;
}

/**
 * Whether two ranges share at least one key.
 *
 * @example
 * ```ts
 * rangesOverlap({ key: a, rangeEnd: m }, { key: k, rangeEnd: z }); // true when k < m
 * ```
 */
export function rangesOverlap(a: KeyRange, b: KeyRange): boolean {
  if (a.rangeEnd.length === 0) return inRange(a.key, b);
  if (b.rangeEnd.length === 0) return inRange(b.key, a);
  // [a.key, a.end) ∩ [b.key, b.end) ≠ ∅  ⇔  a.key < b.end and b.key < a.end (an open end is +∞).
  const aBeforeBEnd = isOpenEnd(b.rangeEnd) || compareBytes(a.key, b.rangeEnd) < 0;
  const bBeforeAEnd = isOpenEnd(a.rangeEnd) || compareBytes(b.key, a.rangeEnd) < 0;
  return aBeforeBEnd && bBeforeAEnd;
}

/**
 * `a` followed by `b`, in a new array.
 *
 * @example
 * ```ts
 * concatBytes(toBytes("pfx/"), toBytes("k")); // "pfx/k"
 * ```
 */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * A copy of `bytes` over an ArrayBuffer of its own.
 *
 * @example
 * ```ts
 * const mine = copyBytes(kv.value);
 * ```
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}
