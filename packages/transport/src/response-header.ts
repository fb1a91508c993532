import type { ResponseHeader as RawResponseHeader } from "@etcdkit/api/etcdserverpb/rpc_pb";

/**
 * Who answered a call and at which point of the cluster's history.
 *
 * @example
 * ```ts
 * const { header } = await auth.roleAdd("reader"); // any @etcdkit service call
 * console.log(header.memberId.toString(16), header.raftTerm);
 * ```
 */
export interface ResponseHeader {
  /** ID of the cluster that answered. */
  readonly clusterId: bigint;
  /** ID of the member that answered. */
  readonly memberId: bigint;
  /** The key-value store revision when the request was applied. */
  readonly revision: bigint;
  /** The raft term when the request was applied. */
  readonly raftTerm: bigint;
}

/**
 * Converts the generated header (absent fields become 0n).
 *
 * @example
 * ```ts
 * const header = toResponseHeader(response.header);
 * ```
 */
export function toResponseHeader(header: RawResponseHeader | undefined): ResponseHeader {
  return {
    clusterId: header?.clusterId ?? 0n,
    memberId: header?.memberId ?? 0n,
    revision: header?.revision ?? 0n,
    raftTerm: header?.raftTerm ?? 0n,
  };
}
