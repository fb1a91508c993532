import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { connectCallOptions, type CallOptions, type MemberId } from "@etcdkit/transport";
import { canAddressMembers, createRpcClient, type MemberAddressingTransport, ownOptions, toEtcdError } from "@etcdkit/transport/internal";
import type { Member } from "./member.js";

interface Seen {
  /** The member that answered. */
  readonly self: MemberId;
  /** The leader it reports (0 when it knows none). */
  readonly leader: MemberId;
}

/**
 * Finds the leader among `members`: asks every voting member with a client URL for its Status
 * (in parallel, each through `transport.forEndpoint(url)`, with the first of its client URLs
 * the transport accepts: a TLS transport refuses `http://` ones, so a member advertising one gets
 * neither a call nor the token over it; a member with no such URL counts as not answering), and
 * returns the member that reports
 * itself as leader as soon as one does; failing that, the member most others report as leader.
 * On a transport that cannot address one member, one Status through `transport` says who the
 * leader is.
 *
 * Throws EtcdError "no-leader" when no member knows a leader, or the first member's error when
 * none answered (e.g. "unavailable").
 *
 * @example
 * ```ts
 * const leader = await findLeader(members, transport, { timeoutMs: 3000 });
 * ```
 */
export async function findLeader(members: readonly Member[], transport: Transport, given?: CallOptions): Promise<Member> {
  const options = ownOptions(given); // own properties only: a polluted Object.prototype sets none
  const seen = canAddressMembers(transport) ? await askEach(members, transport, options) : [await statusOf(transport, options)];
  const byId = (id: MemberId): Member | undefined => (id === 0n ? undefined : members.find((m) => m.id === id));
  const selfDeclared = seen.find((s) => s.leader === s.self && byId(s.leader) !== undefined);
  if (selfDeclared !== undefined) return byId(selfDeclared.leader)!;
  const votes = new Map<MemberId, number>();
  for (const s of seen) if (byId(s.leader) !== undefined) votes.set(s.leader, (votes.get(s.leader) ?? 0) + 1);
  const [best] = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  if (best !== undefined) return byId(best[0])!;
  throw toEtcdError(
    new ConnectError(`etcdserver: no leader (none of ${seen.length} answering members knows one)`, Code.Unavailable),
  );
}

async function statusOf(transport: Transport, options: CallOptions | undefined): Promise<Seen> {
  const status = await createRpcClient(Maintenance, transport).status({}, connectCallOptions(options));
  return { self: status.header?.memberId ?? 0n, leader: status.leader };
}

/** Status of every voter in parallel; stops waiting once a member says it is the leader. */
async function askEach(
  members: readonly Member[],
  transport: MemberAddressingTransport,
  options: CallOptions,
): Promise<Seen[]> {
  const voters = members.filter((m) => !m.isLearner && m.clientUrls.length > 0);
  if (voters.length === 0) {
    throw toEtcdError(new ConnectError("etcdserver: no leader (no started voting member)", Code.Unavailable));
  }
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, options.signal]);
  const perCall: CallOptions = { signal, timeoutMs: options.timeoutMs };
  const seen: Seen[] = [];
  const errors: unknown[] = [];
  await new Promise<void>((resolve) => {
    let pending = voters.length;
    for (const member of voters) {
      Promise.resolve()
        .then(() => statusOf(memberTransportOf(member, transport), perCall))
        .then((s) => {
          seen.push(s);
          if (s.leader !== 0n && s.leader === s.self) resolve();
        })
        .catch((err: unknown) => errors.push(err))
        .finally(() => {
          if (--pending === 0) resolve();
        });
    }
  });
  stop.abort();
  if (options.signal?.aborted === true) throw toEtcdError(options.signal.reason);
  if (seen.length === 0) throw toEtcdError(errors[0]);
  return seen;
}

/**
 * The transport bound to `member` through the first of its client URLs that `transport` accepts
 * (a TLS transport refuses `http://` URLs); throws the refusal of the first URL when none is.
 */
function memberTransportOf(member: Member, transport: MemberAddressingTransport): Transport {
  let refusal: unknown;
  for (const url of member.clientUrls) {
    try {
      return transport.forEndpoint(url);
    } catch (err) {
      refusal ??= err;
    }
  }
  throw toEtcdError(refusal);
}
