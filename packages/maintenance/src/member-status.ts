import type { StatusResponse } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { type MemberId, type ResponseHeader } from "@etcdkit/transport";
import { readableRecord, toResponseHeader } from "@etcdkit/transport/internal";

/**
 * The status of one member, as `etcdctl endpoint status` shows it.
 *
 * @example
 * ```ts
 * const s = await maintenance.status("http://10.0.0.1:2379");
 * console.log(s.version, s.dbSize, s.isLeader ? "leader" : "follower", s.raftIndex);
 * ```
 */
export interface MemberStatus {
  /** The header of the answer; `header.memberId` is the member asked. */
  readonly header: ResponseHeader;
  /** ID of the member asked (same as `header.memberId`). */
  readonly memberId: MemberId;
  /** etcd server version, e.g. "3.4.23". */
  readonly version: string;
  /** Size of the backend database file in bytes (physically allocated). */
  readonly dbSize: number;
  /** Bytes of the database in use; `dbSize - dbSizeInUse` is what defragment can reclaim. */
  readonly dbSizeInUse: number;
  /** ID of the leader as this member sees it; 0n while it knows no leader. */
  readonly leader: MemberId;
  /** True when this member is the leader. */
  readonly isLeader: boolean;
  /** True when this member is a raft learner. */
  readonly isLearner: boolean;
  /** The member's raft log index. */
  readonly raftIndex: bigint;
  /** The member's raft term. */
  readonly raftTerm: bigint;
  /** The raft index the member has applied. */
  readonly raftAppliedIndex: bigint;
  /** Errors the member reports, e.g. "memberID:... alarm:NOSPACE". Empty when healthy. */
  readonly errors: readonly string[];
}

/**
 * Converts a generated StatusResponse.
 *
 * @example
 * ```ts
 * const status = toMemberStatus(await client.status({}));
 * ```
 */
export function toMemberStatus(raw: StatusResponse): MemberStatus {
  const header = toResponseHeader(raw.header);
  return readableRecord({
    header,
    memberId: header.memberId,
    version: raw.version,
    dbSize: Number(raw.dbSize),
    dbSizeInUse: Number(raw.dbSizeInUse),
    leader: raw.leader,
    isLeader: raw.leader !== 0n && raw.leader === header.memberId,
    isLearner: raw.isLearner,
    raftIndex: raw.raftIndex,
    raftTerm: raw.raftTerm,
    raftAppliedIndex: raw.raftAppliedIndex,
    errors: [...raw.errors],
  });
}
