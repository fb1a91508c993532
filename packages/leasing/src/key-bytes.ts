import { inWireRange, type WireRange } from "@etcdkit/kv/internal";
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
 * Whether two ranges share at least one key.
 *
 * @example
 * ```ts
 * rangesOverlap({ key: a, rangeEnd: m }, { key: k, rangeEnd: z }); // true when k < m
 * ```
 */
export function rangesOverlap(a: WireRange, b: WireRange): boolean {
  if (a.rangeEnd.length === 0) return inWireRange(a.key, b);
  if (b.rangeEnd.length === 0) return inWireRange(b.key, a);
  // [a.key, a.end) ∩ [b.key, b.end) ≠ ∅  ⇔  a.key < b.end and b.key < a.end (an open end is +∞).
  return beforeEnd(a.key, b.rangeEnd) && beforeEnd(b.key, a.rangeEnd);
}

/** Whether `key` is below a range's non-empty `rangeEnd` (`[0]`, the open end, is above every key). */
function beforeEnd(key: Uint8Array, rangeEnd: Uint8Array): boolean {
  return (rangeEnd.length === 1 && rangeEnd[0] === 0) || compareBytes(key, rangeEnd) < 0;
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
