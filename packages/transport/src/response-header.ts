import type { ResponseHeader as RawResponseHeader } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { ResponseHeader as ResponseHeaderRecord } from "./response-header-record.js";

/**
 * Who answered a call and at which point of the cluster's history. Every etcdkit result that
 * etcd answered with a header carries it as `header`. `JSON.stringify` gives its fields as
 * decimal strings.
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
 * Converts the generated header (absent fields become 0n). `revision`, when given, replaces the
 * header's (a txn's inner results carry the outer header with their own revision).
 *
 * @example
 * ```ts
 * const header = toResponseHeader(response.header);
 * ```
 */
export function toResponseHeader(header: RawResponseHeader | ResponseHeader | undefined, revision?: bigint): ResponseHeader {
  return new ResponseHeaderRecord(
    header?.clusterId ?? 0n,
    header?.memberId ?? 0n,
    revision ?? header?.revision ?? 0n,
    header?.raftTerm ?? 0n,
  );
}
