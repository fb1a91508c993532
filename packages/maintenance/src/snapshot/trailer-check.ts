import type { NodeModules } from "./node-modules.js";

/**
 * Length of the sha256 digest etcd appends to every snapshot stream.
 *
 * @example
 * ```ts
 * const databaseBytes = fileSize - TRAILER_BYTES;
 * ```
 */
export const TRAILER_BYTES = 32;

/**
 * Checks etcd's integrity trailer while the bytes stream by. etcd (3.2 and later) sends the
 * backend database followed by the sha256 of that database, 32 bytes, as a last message;
 * `etcdctl snapshot restore` refuses a file whose trailer does not match. This keeps the last
 * 32 bytes seen aside, hashes everything before them, and compares at the end.
 *
 * @example
 * ```ts
 * const check = createTrailerCheck(node.crypto);
 * for await (const chunk of chunks) check.update(chunk);
 * if (!check.matches()) throw new Error("truncated or corrupted snapshot");
 * ```
 */
export function createTrailerCheck(crypto: NodeModules["crypto"]): { update(chunk: Uint8Array): void; matches(): boolean } {
  const hash = crypto.createHash("sha256");
  let tail = new Uint8Array(0);
  return {
    update(chunk) {
      if (chunk.length === 0) return;
      const joined = new Uint8Array(tail.length + chunk.length);
      joined.set(tail, 0);
      joined.set(chunk, tail.length);
      const cut = Math.max(0, joined.length - TRAILER_BYTES);
      if (cut > 0) hash.update(joined.subarray(0, cut));
      tail = joined.slice(cut);
    },
    matches() {
      if (tail.length < TRAILER_BYTES) return false;
      const digest = hash.digest();
      return digest.length === tail.length && digest.every((byte, i) => byte === tail[i]);
    },
  };
}
