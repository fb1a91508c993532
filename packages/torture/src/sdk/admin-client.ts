import { createAuth } from "@etcdkit/auth";
import { createCluster } from "@etcdkit/cluster";
import { createKV } from "@etcdkit/kv";
import { createMaintenance } from "@etcdkit/maintenance";
import { createTransport, type EtcdTransport } from "@etcdkit/transport";

/**
 * One member's view of the cluster, from Status.
 *
 * @example
 * ```ts
 * const { memberId, isLeader, raftTerm } = await admin.status(url);
 * ```
 */
export interface AdminStatus {
  readonly memberId: bigint;
  readonly leader: bigint;
  readonly isLeader: boolean;
  readonly raftTerm: bigint;
}

/**
 * What the nemeses and the runner do to the cluster as an operator would, with etcdkit's
 * maintenance, cluster, KV and auth APIs. It talks to members' own client URLs, never through the
 * fault proxies the workloads use.
 *
 * @example
 * ```ts
 * const admin = createAdminClient({ endpoints: cluster.clientUrls });
 * const leader = await admin.leaderUrl(cluster.clientUrls);
 * ```
 */
export interface AdminClient {
  status(url: string, timeoutMs?: number): Promise<AdminStatus>;
  moveLeader(leaderUrl: string, targetId: bigint): Promise<void>;
  defragment(url: string): Promise<void>;
  compact(revision: bigint): Promise<void>;
  memberIdByPeerUrl(peerUrl: string): Promise<bigint | undefined>;
  memberRemove(id: bigint): Promise<void>;
  memberAdd(peerUrl: string): Promise<void>;
  /** Creates user and role "root" and enables auth. */
  enableAuth(password: string): Promise<void>;
  /** Re-opens the shared transport on other endpoints (after a membership change). */
  setEndpoints(endpoints: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates the admin client over `endpoints` (members' direct client URLs).
 *
 * @example
 * ```ts
 * await using admin = createAdminClient({ endpoints: cluster.clientUrls });
 * ```
 */
export function createAdminClient(options: { endpoints: readonly string[]; auth?: { username: string; password: string } }): AdminClient {
  let auth = options.auth;
  let endpoints = options.endpoints;
  let transport = open(endpoints, auth);
  // Calls that address one member go through transport.forEndpoint(url) inside these packages.
  const maintenance = () => createMaintenance(transport);
  const cluster = () => createCluster(transport);

  return {
    async status(url, timeoutMs = 2000) {
      const s = await maintenance().status(url, { timeoutMs });
      return { memberId: s.memberId, leader: s.leader, isLeader: s.isLeader, raftTerm: s.raftTerm };
    },
    async moveLeader(leaderUrl, targetId) {
      await maintenance().moveLeader(leaderUrl, targetId, { timeoutMs: 10_000 });
    },
    async defragment(url) {
      await maintenance().defragment(url, { timeoutMs: 30_000 });
    },
    async compact(revision) {
      await createKV(transport).compact(revision, { physical: true, timeoutMs: 10_000 });
    },
    async memberIdByPeerUrl(peerUrl) {
      const { members } = await cluster().memberList({ timeoutMs: 5000 });
      return members.find((m) => m.peerUrls.includes(peerUrl))?.id;
    },
    async memberRemove(id) {
      await cluster().memberRemove(id, { timeoutMs: 10_000 });
    },
    async memberAdd(peerUrl) {
      await cluster().memberAdd([peerUrl], { timeoutMs: 10_000 });
    },
    async enableAuth(password) {
      const a = createAuth(transport);
      await a.roleAdd("root", { timeoutMs: 10_000 });
      await a.userAdd("root", password, { timeoutMs: 10_000 });
      await a.userGrantRole("root", "root", { timeoutMs: 10_000 });
      await a.enable({ timeoutMs: 10_000 });
      auth = { username: "root", password };
      await transport.close();
      transport = open(endpoints, auth);
    },
    async setEndpoints(next) {
      endpoints = next;
      const old = transport;
      transport = open(endpoints, auth);
      await old.close();
    },
    close: () => transport.close(),
  };
}

function open(endpoints: readonly string[], auth: { username: string; password: string } | undefined): EtcdTransport {
  return createTransport({ endpoints, dialTimeoutMs: 2000, ...(auth ? { auth } : {}) });
}
