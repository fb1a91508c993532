/**
 * Inputs for the command line of one etcd member.
 *
 * @example
 * ```ts
 * const input: EtcdArgsInput = { name: "m", dataDir, clientUrl, peerUrl, initialCluster: `m=${peerUrl}`,
 *   initialClusterState: "new", initialClusterToken: "t", extraFlags: [] };
 * ```
 */
export interface EtcdArgsInput {
  readonly name: string;
  readonly dataDir: string;
  readonly clientUrl: string;
  /** The peer URL other members use (a peer proxy's URL when the member has one). */
  readonly peerUrl: string;
  /** Where etcd listens for peers (default: `peerUrl`). */
  readonly peerListenUrl?: string;
  /** `name=peerUrl,...` of every member, including this one. */
  readonly initialCluster: string;
  readonly initialClusterState: "new" | "existing";
  readonly initialClusterToken: string;
  /** Extra flags appended last (a repeated flag's last value wins). */
  readonly extraFlags: readonly string[];
}

/**
 * Builds the etcd 3.4 command line used for test members: fast elections (heartbeat 50 ms,
 * election timeout 500 ms) and warn-level zap logs on stderr, then the caller's extra flags.
 *
 * @example
 * ```ts
 * spawn(findEtcdBinary(), buildEtcdArgs({ name: "member-0", ...urls, extraFlags: ["--max-txn-ops=16"] }));
 * ```
 */
export function buildEtcdArgs(input: EtcdArgsInput): string[] {
  return [
    `--name=${input.name}`,
    `--data-dir=${input.dataDir}`,
    `--listen-client-urls=${input.clientUrl}`,
    `--advertise-client-urls=${input.clientUrl}`,
    `--listen-peer-urls=${input.peerListenUrl ?? input.peerUrl}`,
    `--initial-advertise-peer-urls=${input.peerUrl}`,
    `--initial-cluster=${input.initialCluster}`,
    `--initial-cluster-state=${input.initialClusterState}`,
    `--initial-cluster-token=${input.initialClusterToken}`,
    "--heartbeat-interval=50",
    "--election-timeout=500",
    "--logger=zap",
    "--log-outputs=stderr",
    "--log-level=warn",
    ...input.extraFlags,
  ];
}
