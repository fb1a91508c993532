import { requestText } from "./http-json.js";

/**
 * A cluster member as reported by etcd's MemberList (JSON gateway shape; ids are decimal strings).
 *
 * @example
 * ```ts
 * const learners = (await fetchMemberList(url)).filter((m: MemberListEntry) => m.isLearner);
 * ```
 */
export interface MemberListEntry {
  readonly id: string;
  /** Empty for members added with MemberAdd that have not started yet. */
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

interface GatewayMember {
  ID?: string;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

/**
 * Lists the cluster's members through etcd's JSON gateway (`POST /v3/cluster/member/list`),
 * without needing generated gRPC code.
 *
 * @example
 * ```ts
 * const members = await fetchMemberList(cluster.clientUrls[0]!);
 * console.log(members.map((m) => m.name));
 * ```
 */
export async function fetchMemberList(clientUrl: string, timeoutMs = 5_000): Promise<MemberListEntry[]> {
  const { status, body } = await requestText(`${clientUrl}/v3/cluster/member/list`, {
    method: "POST",
    body: "{}",
    timeoutMs,
  });
  if (status !== 200) throw new Error(`member list via ${clientUrl} failed: HTTP ${status} ${body}`);
  const parsed = JSON.parse(body) as { members?: GatewayMember[] };
  return (parsed.members ?? []).map((m) => ({
    id: m.ID ?? "",
    name: m.name ?? "",
    peerUrls: m.peerURLs ?? [],
    clientUrls: m.clientURLs ?? [],
    isLearner: m.isLearner ?? false,
  }));
}
