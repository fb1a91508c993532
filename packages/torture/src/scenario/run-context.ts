import type { EtcdCluster } from "@etcdkit/testing";
import type { Recorder } from "../history/recorder.js";
import type { AdminClient } from "../sdk/admin-client.js";
import type { ClientFactory, TortureClient } from "../sdk/torture-client.js";

/**
 * Everything the workloads and nemeses of one scenario run share: the cluster, the recorder,
 * the admin client, how to make clients, which members are in the cluster now, and the signal
 * that ends the traffic.
 *
 * @example
 * ```ts
 * const client = ctx.newClient();
 * while (!ctx.stopping.aborted) await doOne(client);
 * ```
 */
export interface RunContext {
  readonly cluster: EtcdCluster;
  readonly recorder: Recorder;
  readonly admin: AdminClient;
  readonly random: () => number;
  /** Aborted when the traffic should wind down. */
  readonly stopping: AbortSignal;
  /** Member indexes currently in the cluster (a member replace changes them). */
  readonly active: number[];
  /** Bumped whenever `active` changes: clients made before are re-made with the new endpoints. */
  readonly membership: { generation: number };
  /** Whether a fault is in place now, and when the last one was healed (monotonic ms). */
  readonly faults: { active: boolean; healedAt: number };
  /** Called by the nemesis at the end of each quiet spell (no fault for over a second). */
  onQuiet?: () => void;
  /** The highest revision the log collector has delivered (0n before it started). */
  collectorRevision(): bigint;
  /**
   * Makes a client on the active members' proxied endpoints, or on the given ones (a function is
   * asked again each time the client is re-made after a membership change; a list is kept).
   */
  newClient(endpoints?: readonly string[] | (() => readonly string[])): ManagedClient;
  /** Writes a line to the run's log (stderr for the CLI). */
  log(message: string): void;
}

/**
 * A client owned by a workload: re-made (closing the old one) when the membership changed.
 *
 * @example
 * ```ts
 * const managed = ctx.newClient();
 * const client = await managed.current();
 * ```
 */
export interface ManagedClient {
  /** The recorder's client ID of the current client (a re-made client is a new client). */
  readonly id: number;
  /** The client to use now (re-made first when the membership changed). */
  current(): Promise<TortureClient>;
  close(): Promise<void>;
}

/**
 * Creates a ManagedClient.
 *
 * @example
 * ```ts
 * const managed = createManagedClient(ctx, factory, () => proxiedEndpoints(ctx), options);
 * ```
 */
export function createManagedClient(
  recorder: Recorder,
  membership: { generation: number },
  make: () => TortureClient,
  fixed: boolean,
  totals?: Record<string, number>,
): ManagedClient {
  let id = recorder.newClient();
  let client = make();
  let generation = membership.generation;
  let closed = false;
  const retire = async (old: TortureClient): Promise<void> => {
    if (totals !== undefined) for (const [k, n] of Object.entries(old.counters?.() ?? {})) totals[k] = (totals[k] ?? 0) + n;
    await old.close().catch(() => undefined);
  };
  return {
    get id() {
      return id;
    },
    async current() {
      if (!fixed && generation !== membership.generation && !closed) {
        generation = membership.generation;
        const old = client;
        client = make();
        id = recorder.newClient();
        await retire(old);
      }
      return client;
    },
    async close() {
      if (closed) return;
      closed = true;
      await retire(client);
    },
  };
}

/**
 * The client (proxied) endpoints of the active members.
 *
 * @example
 * ```ts
 * createSdkClient({ endpoints: proxiedEndpoints(ctx.cluster, ctx.active) });
 * ```
 */
export function proxiedEndpoints(cluster: EtcdCluster, active: readonly number[]): string[] {
  return active.map((i) => cluster.members[i]!.endpoint);
}

/**
 * The direct client URLs of the active members (no fault proxy in between).
 *
 * @example
 * ```ts
 * const admin = createAdminClient({ endpoints: directEndpoints(cluster, active) });
 * ```
 */
export function directEndpoints(cluster: EtcdCluster, active: readonly number[]): string[] {
  return active.map((i) => cluster.members[i]!.clientUrl);
}

/**
 * Sleeps `ms`, waking early (without throwing) when `signal` aborts.
 *
 * @example
 * ```ts
 * await pause(100, ctx.stopping);
 * ```
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
