/**
 * A revision of etcd's key-value store (int64 on the wire). Revisions only grow; 0 means
 * "the latest" in requests.
 *
 * @example
 * ```ts
 * const { revision }: { revision: Revision } = await kv.put("k", "v");
 * ```
 */
export type Revision = bigint;

/**
 * A lease ID (int64 on the wire). 0 means "no lease".
 *
 * @example
 * ```ts
 * const id: LeaseId = 0x694d6368b4edc60en;
 * ```
 */
export type LeaseId = bigint;

/**
 * A cluster member ID (uint64 on the wire).
 *
 * @example
 * ```ts
 * const id: MemberId = 0x8e9e05c52164694dn;
 * ```
 */
export type MemberId = bigint;
