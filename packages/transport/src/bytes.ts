import { typeName } from "./argument-checks.js";
import { invalidArgumentError } from "./errors/client-errors.js";

/**
 * A key or value as callers give it: text (UTF-8 encoded on the wire) or raw bytes.
 *
 * @example
 * ```ts
 * const key: Bytes = "config/app";
 * const blob: Bytes = new Uint8Array([0xde, 0xad]);
 * ```
 */
export type Bytes = string | Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The bytes of a key or value: strings are UTF-8 encoded, byte arrays are returned as they are
 * (not copied; do not mutate them while a call is using them). Anything else throws
 * `invalid-argument`.
 *
 * @example
 * ```ts
 * toBytes("héllo"); // Uint8Array [104, 195, 169, 108, 108, 111]
 * ```
 */
export function toBytes(value: Bytes): Uint8Array {
  if (typeof value === "string") return value.length <= SHORT_TEXT_MAX ? encodeShortText(value) : encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw invalidArgumentError(`a key or value must be a string or a Uint8Array, got ${typeName(value)}`);
}

/**
 * Up to this length, pure-ASCII text is copied by a loop: for keys of a few dozen characters that
 * is 3–7× cheaper than `TextEncoder.encode` (whose per-call overhead dominates), while beyond it
 * the encoder wins (measured on Node 20).
 */
const SHORT_TEXT_MAX = 64;

/** UTF-8 of a short string: a byte per char while all are ASCII, else the TextEncoder. */
function encodeShortText(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return encoder.encode(text);
    bytes[i] = code;
  }
  return bytes;
}

/**
 * Decodes UTF-8 bytes to text (invalid sequences become U+FFFD).
 *
 * @example
 * ```ts
 * bytesToText(kv.value); // "sample_value"
 * ```
 */
export function bytesToText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * The range end that selects every key starting with `prefix`, like etcd's `GetPrefixRangeEnd`:
 * trailing 0xff bytes are dropped and the last remaining byte is incremented. When no byte can be
 * incremented (an empty or all-0xff prefix) the result is `[0]`, which etcd reads as "all keys
 * from key on". Returns a new array; `prefix` is not changed.
 *
 * Note: Go's `WithPrefix` on an empty key also sets the key itself to `[0]` (all keys); that
 * choice belongs to the caller building the request.
 *
 * @example
 * ```ts
 * prefixRangeEnd(toBytes("abc"));                 // "abd"
 * prefixRangeEnd(new Uint8Array([0x61, 0xff]));   // "b"
 * prefixRangeEnd(new Uint8Array([0xff, 0xff]));   // [0]
 * ```
 */
export function prefixRangeEnd(prefix: Uint8Array): Uint8Array {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i]!;
    if (byte < 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i] = byte + 1;
      return end;
    }
  }
  return new Uint8Array([0]);
}

/**
 * The range end `[0]`: with it a range covers every key greater than or equal to the key
 * ("from key"). Shared; never mutate it.
 *
 * @example
 * ```ts
 * const request = { key: toBytes("b"), rangeEnd: fromKeyRangeEnd }; // all keys >= "b"
 * ```
 */
export const fromKeyRangeEnd: Uint8Array = new Uint8Array([0]);

/**
 * True when both arrays hold the same bytes.
 *
 * @example
 * ```ts
 * bytesEqual(toBytes("a"), new Uint8Array([0x61])); // true
 * ```
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/**
 * Compares byte strings lexicographically as unsigned bytes, the order of keys in etcd
 * (a prefix sorts before its extensions). Negative, zero or positive, like a sort comparator.
 *
 * @example
 * ```ts
 * keys.sort(compareBytes);
 * compareBytes(toBytes("a"), toBytes("ab")); // < 0
 * ```
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = a[i]! - b[i]!;
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
