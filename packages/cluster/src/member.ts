import type { Member as RawMember } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { type MemberId } from "@etcdkit/transport";
import { readableRecord } from "@etcdkit/transport/internal";

/**
 * One member of an etcd cluster, as MemberList reports it.
 *
 * A member that was added but has not started yet has an empty `name` and no `clientUrls`.
 *
 * @example
 * ```ts
 * const { members } = await cluster.memberList();
 * for (const m of members) console.log(formatMemberId(m.id), m.name, m.clientUrls, m.isLearner);
 * ```
 */
export interface Member {
  /** The member ID (uint64). `formatMemberId(id)` prints it as etcdctl does. */
  readonly id: MemberId;
  /** The member's `--name`; empty until the member has started. */
  readonly name: string;
  /** URLs the other members use to reach it. */
  readonly peerUrls: readonly string[];
  /** URLs clients use to reach it; empty until the member has started. */
  readonly clientUrls: readonly string[];
  /** True for a raft learner (a non-voting member that is catching up). */
  readonly isLearner: boolean;
}

/**
 * Converts a generated Member.
 *
 * @example
 * ```ts
 * const members = response.members.map(toMember);
 * ```
 */
export function toMember(raw: RawMember): Member {
  return readableRecord({
    id: raw.ID,
    name: raw.name,
    peerUrls: [...raw.peerURLs],
    clientUrls: [...raw.clientURLs],
    isLearner: raw.isLearner,
  });
}
