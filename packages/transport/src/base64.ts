/**
 * Standard base64 with padding, without `Buffer` (it runs in browsers and edge runtimes too).
 *
 * @example
 * ```ts
 * base64Encode(new TextEncoder().encode("foo")); // "Zm9v"
 * ```
 */
export function base64Encode(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(binary);
}
