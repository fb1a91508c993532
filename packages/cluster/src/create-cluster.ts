import type { Transport } from "@connectrpc/connect";
import {
  Cluster as ClusterService,
  type Member as RawMember,
  type ResponseHeader as RawResponseHeader,
} from "@etcdkit/api/etcdserverpb/rpc_pb";
import { connectCallOptions, monotonicNow, type CallOptions, type MemberId, type ResponseHeader } from "@etcdkit/transport";
import {
  booleanOption,
  checkMemberId,
  checkTransport,
  createRpcClient,
  ownOptions,
  readableRecord,
  toEtcdError,
  toResponseHeader,
} from "@etcdkit/transport/internal";
import { findLeader } from "./find-leader.js";
import { toMember, type Member } from "./member.js";
import { checkPeerUrls } from "./peer-urls.js";

/**
 * The members of the cluster and who answered.
 *
 * @example
 * ```ts
 * const { members, header } = await cluster.memberList();
 * ```
 */
export interface MemberListResult {
  readonly header: ResponseHeader;
  readonly members: readonly Member[];
}

/**
 * The member just added (not started yet: no name, no client URLs) and the new membership.
 *
 * @example
 * ```ts
 * const { member, members } = await cluster.memberAdd(["http://10.0.0.4:2380"]);
 * ```
 */
export interface MemberAddResult extends MemberListResult {
  readonly member: Member;
}

/**
 * Options of `memberAdd`.
 *
 * @example
 * ```ts
 * await cluster.memberAdd(["http://10.0.0.4:2380"], { learner: true, timeoutMs: 5000 });
 * ```
 */
export interface MemberAddOptions extends CallOptions {
  /** Add the member as a raft learner (non-voting) that can be promoted once it caught up. */
  readonly learner?: boolean | undefined;
}

/**
 * Cluster membership: list, add (as voter or learner), remove, update peer URLs, promote a
 * learner, and find the leader. Created by {@link createCluster}.
 *
 * Every call takes `{ signal, timeoutMs }` and fails with an EtcdError; the reasons each call can
 * throw are listed on it. Any call can also fail with the transport's reasons ("unavailable",
 * "deadline-exceeded", "canceled", "permission-denied" with auth on, "outcome-unknown" for a
 * membership change whose request may have reached etcd, ...).
 *
 * @example
 * ```ts
 * const cluster = createCluster(transport);
 * const { members } = await cluster.memberList();
 * console.log("members:", members.length);
 * ```
 */
export interface Cluster {
  /**
   * Lists all members, including learners and members added but not started yet.
   *
   * Reasons: transport reasons only.
   *
   * @example
   * ```ts
   * const { members } = await cluster.memberList();
   * ```
   */
  memberList(options?: CallOptions): Promise<MemberListResult>;

  /**
   * Adds a member with the given peer URLs (as a learner with `{ learner: true }`). Start the new
   * etcd process afterwards with `--initial-cluster-state=existing`.
   *
   * Reasons: "invalid-argument" (no or malformed peer URLs, a `learner` that is not a boolean;
   * before any I/O), "peer-url-exists",
   * "member-bad-urls", "member-not-enough-started" (adding a voter would risk quorum),
   * "too-many-learners", "unhealthy".
   *
   * @example
   * ```ts
   * const { member } = await cluster.memberAdd(["http://10.0.0.4:2380"], { learner: true });
   * ```
   */
  memberAdd(peerUrls: readonly string[], options?: MemberAddOptions): Promise<MemberAddResult>;

  /**
   * Removes a member; a running member shuts itself down once it learns it was removed.
   *
   * Reasons: "invalid-argument" (not a uint64 bigint > 0), "member-not-found",
   * "member-not-enough-started" (removing it would lose quorum), "unhealthy".
   *
   * @example
   * ```ts
   * await cluster.memberRemove(member.id);
   * ```
   */
  memberRemove(id: MemberId, options?: CallOptions): Promise<MemberListResult>;

  /**
   * Replaces a member's peer URLs.
   *
   * Reasons: "invalid-argument", "member-not-found", "peer-url-exists", "member-bad-urls".
   *
   * @example
   * ```ts
   * await cluster.memberUpdate(member.id, ["http://10.0.0.9:2380"]);
   * ```
   */
  memberUpdate(id: MemberId, peerUrls: readonly string[], options?: CallOptions): Promise<MemberListResult>;

  /**
   * Promotes a learner to a voting member. etcd refuses while the learner's log is behind the
   * leader's: retry on "learner-not-ready".
   *
   * Reasons: "invalid-argument", "member-not-found", "member-not-learner", "learner-not-ready",
   * "member-not-enough-started".
   *
   * @example
   * ```ts
   * await cluster.memberPromote(learner.id);
   * ```
   */
  memberPromote(id: MemberId, options?: CallOptions): Promise<MemberListResult>;

  /**
   * The member that is leader right now: the member that reports itself as leader in its Status.
   * With etcdkit's transport every started voting member is asked in parallel, by client URL,
   * through `transport.forEndpoint` (shared connections and token); on a transport without
   * `forEndpoint` one Status through the transport names the leader.
   *
   * Reasons: "no-leader" (no member knows a leader, e.g. during an election or without quorum),
   * or the first member's error when none answered ("unavailable", "deadline-exceeded", ...).
   *
   * @example
   * ```ts
   * const leader = await cluster.leader();
   * console.log("leader:", leader.name);
   * ```
   */
  leader(options?: CallOptions): Promise<Member>;
}

/**
 * Creates the cluster membership API on any Connect `Transport` (etcdkit's `createTransport`,
 * the gateway transport, or Connect's own). Throws an EtcdError "invalid-argument" for anything
 * that is not a transport.
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createCluster } from "@etcdkit/cluster";
 *
 * const cluster = createCluster(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));
 * const leader = await cluster.leader();
 * ```
 */
export function createCluster(transport: Transport): Cluster {
  checkTransport(transport, "createCluster");
  const client = createRpcClient(ClusterService, transport);

  return {
    memberList: (callOptions) => call(async () => listResult(await client.memberList({}, connectCallOptions(callOptions)))),

    memberAdd: (peerUrls, addOptions) =>
      call(async () => {
        const peerURLs = checkPeerUrls(peerUrls, "memberAdd");
        const options = ownOptions(addOptions); // own properties only: a polluted prototype adds no learner
        const response = await client.memberAdd(
          { peerURLs, isLearner: booleanOption(options.learner, "memberAdd: options.learner") },
          connectCallOptions(options),
        );
        const member = response.member === undefined ? undefined : toMember(response.member);
        if (member === undefined) throw new Error("memberAdd: etcd answered without the new member");
        return readableRecord({ header: toResponseHeader(response.header), members: response.members.map(toMember), member });
      }),

    memberRemove: (id, callOptions) =>
      call(async () =>
        listResult(await client.memberRemove({ ID: checkMemberId(id, "memberRemove: the member ID") }, connectCallOptions(callOptions))),
      ),

    memberUpdate: (id, peerUrls, callOptions) =>
      call(async () => {
        const request = { ID: checkMemberId(id, "memberUpdate: the member ID"), peerURLs: checkPeerUrls(peerUrls, "memberUpdate") };
        return listResult(await client.memberUpdate(request, connectCallOptions(callOptions)));
      }),

    memberPromote: (id, callOptions) =>
      call(async () =>
        listResult(await client.memberPromote({ ID: checkMemberId(id, "memberPromote: the member ID") }, connectCallOptions(callOptions))),
      ),

    leader: (callOptions) =>
      call(async () => {
        const started = monotonicNow();
        const options = ownOptions(callOptions);
        const { members } = listResult(await client.memberList({}, connectCallOptions(options)));
        const timeoutMs = options.timeoutMs;
        // One deadline for the whole lookup: the Status calls get what the MemberList call left.
        const remaining = timeoutMs === undefined ? undefined : Math.max(1, timeoutMs - (monotonicNow() - started));
        return findLeader(members, transport, { signal: options.signal, timeoutMs: remaining });
      }),
  };
}

/** The `learner` option as a boolean (absent: false); anything but a boolean is invalid-argument, not a voter. */
function listResult(response: { header?: RawResponseHeader | undefined; members: RawMember[] }): MemberListResult {
  return readableRecord({ header: toResponseHeader(response.header), members: response.members.map(toMember) });
}

/** Runs one API call; whatever it throws leaves as an EtcdError. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toEtcdError(err);
  }
}
