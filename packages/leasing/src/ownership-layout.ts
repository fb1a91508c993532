import { prefixRange, type WireRange } from "@etcdkit/kv/internal";
import { bytesEqual, prefixRangeEnd, toBytes } from "@etcdkit/transport";
import { concatBytes, rangesOverlap } from "./key-bytes.js";

/**
 * The value a writer puts on another client's ownership key to ask it to give the key up (Go's
 * `leasing` writes the same string, with `ignoreLease` so the key keeps its owner's lease).
 *
 * @example
 * ```ts
 * op.put(layout.ownershipKey(key), REVOKE, { ignoreLease: true });
 * ```
 */
export const REVOKE = "REVOKE";

const revokeBytes = toBytes(REVOKE);

/**
 * Whether an ownership key's value is a revoke request.
 *
 * @example
 * ```ts
 * if (isRevokeRequest(event.kv.value)) rescind(key);
 * ```
 */
export function isRevokeRequest(value: Uint8Array): boolean {
  return bytesEqual(value, revokeBytes);
}

/**
 * Where ownership keys live, exactly as Go's `client/v3/leasing` lays them out: the ownership
 * key of user key `k` is `prefix + k` (plain concatenation: pass a prefix ending in "/" to get
 * `<prefix>/<key>`), its value is empty while owned and "REVOKE" once another writer asked for
 * it, and it is attached to the owner's session lease.
 *
 * @example
 * ```ts
 * const layout = new OwnershipLayout(toBytes("leasing/"));
 * layout.ownershipKey(toBytes("config")); // "leasing/config"
 * ```
 */
export class OwnershipLayout {
  /** Every ownership key, as a range: `[prefix, prefixRangeEnd(prefix))`. */
  readonly prefixRange: WireRange;

  constructor(readonly prefix: Uint8Array) {
    this.prefixRange = { key: prefix, rangeEnd: prefixRangeEnd(prefix) };
  }

  /** The ownership key of `key`. */
  ownershipKey(key: Uint8Array): Uint8Array {
    return concatBytes(this.prefix, key);
  }

  /**
   * The ownership keys of a user range, as Go maps them: prefix + key .. prefix + end, and a range
   * to the end of the keyspace (`"\0"`) ends at the end of the ownership prefix (Go maps it to
   * `prefix + "\0"`, which selects no ownership key at all: its range deletes then revoked no
   * owner, and other clients kept serving the deleted keys from their caches).
   */
  ownershipRange(range: WireRange): WireRange {
    return prefixRange(this.prefix, range);
  }

  /** The user key of an ownership key. */
  userKey(ownershipKey: Uint8Array): Uint8Array {
    return ownershipKey.subarray(this.prefix.length);
  }

  /**
   * Whether a key or range reaches into the ownership prefix. Writes there would forge or delete
   * ownership keys (Go's range deletes did: a `fromKey` delete removed every ownership key), and
   * reads of such keys are never cached.
   */
  touchesPrefix(range: WireRange): boolean {
    return rangesOverlap(range, this.prefixRange);
  }
}
