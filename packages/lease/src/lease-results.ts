import type { LeaseId, ResponseHeader } from "@etcdkit/transport";

/**
 * The result of a revoke.
 *
 * @example
 * ```ts
 * const { header } = await leases.revoke(id);
 * ```
 */
export interface LeaseRevokeResult {
  /**
   * The header of etcd's answer. Undefined when the revoke was retried after an attempt whose
   * answer was lost and the retry found the lease gone: no answer of etcd says who revoked it.
   */
  readonly header: ResponseHeader | undefined;
}

/**
 * The leases etcd holds.
 *
 * @example
 * ```ts
 * const { leases: ids, header } = await leases.leases();
 * ```
 */
export interface LeaseList {
  /** The IDs of every lease etcd holds. */
  readonly leases: readonly LeaseId[];
  /** The header of etcd's answer. */
  readonly header: ResponseHeader;
}
