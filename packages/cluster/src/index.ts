/**
 * @etcdkit/cluster: etcd cluster membership for TypeScript. List, add (as voter or learner),
 * remove, update and promote members, and find the leader, on any Connect transport.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createCluster } from "@etcdkit/cluster";
 *
 * const cluster = createCluster(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));
 * const { members } = await cluster.memberList();
 * ```
 */
export {
  createCluster,
  type Cluster,
  type MemberAddOptions,
  type MemberAddResult,
  type MemberListResult,
} from "./create-cluster.js";
export type { CallOptions } from "@etcdkit/transport";
export type { Member } from "./member.js";
export { formatMemberId, parseMemberId } from "./member-id.js";
export type { ResponseHeader } from "@etcdkit/transport";
