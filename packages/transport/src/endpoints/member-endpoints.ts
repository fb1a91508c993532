import type { DescMessage, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import type { UnaryResponse } from "@connectrpc/connect";
import { MemberListRequestSchema, MemberListResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { unaryMethod } from "../call/unary-method.js";
import { parseEndpoint, type Endpoint } from "./parse-endpoint.js";

/**
 * The transport's unary path as auto-sync uses it.
 *
 * @example
 * ```ts
 * await fetchMemberEndpoints(runUnary satisfies MemberListCaller, signal, undefined, false);
 * ```
 */
export type MemberListCaller = <I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
  input: MessageInitShape<I>,
  useToken: boolean,
) => Promise<UnaryResponse<I, O>>;

/** etcdserverpb.Cluster/MemberList, without the rest of the Cluster service (see unaryMethod). */
const memberListMethod = /*@__PURE__*/ unaryMethod("etcdserverpb.Cluster", "MemberList", MemberListRequestSchema, MemberListResponseSchema);

/**
 * Reads the cluster's client URLs with Cluster.MemberList: every client URL of every started,
 * non-learner member (learners do not serve client requests), parsed and de-duplicated.
 * URLs that are not http(s) are skipped, and so are URLs of the other scheme than the transport's
 * (`secure`: https://): a TLS transport never adopts an `http://` URL a member advertises, which
 * would send its token and password in cleartext, and a plain-text transport adopts no `https://`
 * URL it has no TLS settings for.
 *
 * `timeoutMs` follows the call rules: undefined means the transport's default deadline.
 *
 * @example
 * ```ts
 * const endpoints = await fetchMemberEndpoints(runUnary, signal, 5000, true);
 * pool.setEndpoints(endpoints);
 * ```
 */
export async function fetchMemberEndpoints(
  call: MemberListCaller,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  secure: boolean,
): Promise<Endpoint[]> {
  const response = await call(memberListMethod, signal, timeoutMs, undefined, {}, true);
  const endpoints: Endpoint[] = [];
  for (const member of response.message.members) {
    if (member.isLearner) continue;
    for (const url of member.clientURLs) {
      let endpoint: Endpoint;
      try {
        endpoint = parseEndpoint(url);
      } catch {
        continue;
      }
      if (endpoint.secure !== secure) continue;
      if (!endpoints.some((e) => e.url === endpoint.url)) endpoints.push(endpoint);
    }
  }
  return endpoints;
}
