import type { Client } from "@connectrpc/connect";
import type { Lease as LeaseService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { connectCallOptions, type LeaseId, type ResponseHeader } from "@etcdkit/transport";
import { booleanOption, checkCallOptions, ownOptions, toEtcdError, toResponseHeader } from "@etcdkit/transport/internal";
import { checkLeaseId } from "./lease-arguments.js";
import * as records from "./lease-records.js";
import type { LeaseCallOptions } from "./lease.js";

/**
 * What etcd says about a lease.
 *
 * @example
 * ```ts
 * const info = await lease.timeToLive({ keys: true });
 * console.log(info.ttl, info.grantedTtl, info.keys.length);
 * ```
 */
export interface LeaseTimeToLive {
  readonly id: LeaseId;
  /** Remaining seconds; -1 when the lease does not exist (`expired` is then true). */
  readonly ttl: number;
  /** The TTL the lease was granted with, in seconds (0 when expired). */
  readonly grantedTtl: number;
  /** The keys attached to the lease (with `keys: true`). */
  readonly keys: readonly Uint8Array[];
  /** True when etcd no longer has the lease (expired or revoked). */
  readonly expired: boolean;
  /** The header of etcd's answer. */
  readonly header: ResponseHeader;
}


/**
 * LeaseTimeToLive for `id`, mapping etcd's TTL -1 to `expired`.
 *
 * @example
 * ```ts
 * const info = await fetchTimeToLive(client, id, { keys: true });
 * ```
 */
export async function fetchTimeToLive(
  client: Client<typeof LeaseService>,
  id: LeaseId,
  given?: LeaseCallOptions & { readonly keys?: boolean },
): Promise<LeaseTimeToLive> {
  checkLeaseId(id);
  const options = ownOptions(given); // own properties only: a polluted Object.prototype sets none
  checkCallOptions(options);
  booleanOption(options.keys, "keys");
  try {
    const r = await client.leaseTimeToLive({ ID: id, keys: options.keys === true }, connectCallOptions(options));
    const ttl = Number(r.TTL);
    return new records.LeaseTimeToLive(id, ttl, Number(r.grantedTTL), r.keys, toResponseHeader(r.header));
  } catch (err) {
    throw toEtcdError(err);
  }
}
