/**
 * @etcdkit/testing: real etcd processes for etcdkit's tests (one member or three, kill /
 * restart / pause) and a fault-injecting TCP proxy, with leftovers cleaned up; and a runner
 * for the TypeScript blocks of READMEs.
 *
 * @example
 * ```ts
 * import { startEtcd } from "@etcdkit/testing";
 * await using cluster = await startEtcd({ members: 3 });
 * ```
 */
export { findEtcdBinary, findEtcdctlBinary, type BinaryEnv } from "./find-binary.js";
export { freePort, freePorts } from "./free-port.js";
export {
  startEtcd,
  type AddMemberOptions,
  type EtcdCluster,
  type EtcdClusterOptions,
  type PendingMember,
} from "./etcd-cluster.js";
/**
 * One member of a cluster started by startEtcd().
 *
 * @example
 * ```ts
 * const member: EtcdMember = cluster.members[0]!;
 * ```
 */
export type { EtcdMember } from "./etcd-member.js";
export { createTcpProxy, type ProxyMode, type TcpProxy, type TcpProxyOptions, type TcpProxyStats } from "./tcp-proxy.js";
export { createHttp2StreamCounter, type Http2StreamCounter } from "./http2-stream-counter.js";
export { probeHealth, type HealthProbe } from "./health-check.js";
export type { HealthTls } from "./http-json.js";
export { fetchMemberList, type MemberListEntry } from "./member-list.js";
export { sweepLeftovers, findEtcdProcesses, type SweepResult } from "./sweep-leftovers.js";
export { createOwnedTempDir } from "./temp-root.js";
export {
  codeBlockAfter,
  codeBlocks,
  runReadmeBlock,
  type CodeBlock,
  type RunReadmeBlockOptions,
} from "./readme-examples.js";
export { createRecordingTransport, createSpyTransport, type RecordedCall } from "./recording-transport.js";
export { thrownBy } from "./thrown-by.js";
export { seededRandom } from "./seeded-random.js";
export { runScript, withPollutedPrototype } from "./polluted-prototype.js";
