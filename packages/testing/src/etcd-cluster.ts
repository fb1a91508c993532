import type { HealthTls } from "./http-json.js";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import * as path from "node:path";
import { buildEtcdArgs } from "./etcd-args.js";
import { createMemberHandle, type EtcdMember, type MemberHandle } from "./etcd-member.js";
import { findEtcdBinary } from "./find-binary.js";
import { freePorts } from "./free-port.js";
import { fetchMemberList, type MemberListEntry } from "./member-list.js";
import { registerTempRoot, unregisterTempRoot } from "./process-registry.js";
import { createTcpProxy, type TcpProxy } from "./tcp-proxy.js";
import { createTempRoot } from "./temp-root.js";

/**
 * Options of startEtcd().
 *
 * @example
 * ```ts
 * const options: EtcdClusterOptions = { members: 3, proxy: true, flags: ["--max-txn-ops=16"] };
 * ```
 */
export interface EtcdClusterOptions {
  /** Number of members (default 1). */
  members?: 1 | 3 | number;
  /** Extra server flags for every member, e.g. ["--max-txn-ops=16"]. */
  flags?: string[];
  /** Per-member extra flags (appended after `flags`). */
  memberFlags?: (index: number) => string[];
  /** Put a TcpProxy in front of each member's client port (default false). */
  proxy?: boolean;
  /**
   * Put a TcpProxy in front of each member's peer port (default false): members advertise the
   * proxy's URL and the proxies recognize each connection's sender, so `isolate(i)`, `lag(i, ms)`
   * and `heal(i)` can hold or delay member i's raft traffic in both directions. Run with
   * `flags: ["--pre-vote"]` when you isolate a member, so that its elections cannot disrupt the
   * majority.
   */
  peerProxy?: boolean;
  /** "https" when the test passes TLS flags (--cert-file, --key-file); client URLs then use https://. */
  scheme?: "http" | "https";
  /** Per-attempt start timeout, also the default of waitHealthy() and restart() (default 20 000). */
  startTimeoutMs?: number;
  /** Client certificate for the harness's own /health probes, needed when members run with --client-cert-auth. */
  healthTls?: HealthTls;
}

/**
 * Options of EtcdCluster.addMember().
 *
 * @example
 * ```ts
 * const pending = await cluster.addMember({ learner: true });
 * ```
 */
export interface AddMemberOptions {
  /** Recorded on the pending member; the test passes isLearner to MemberAdd itself. */
  learner?: boolean;
}

/**
 * A member whose ports, name and data dir are reserved but which is not running yet.
 *
 * @example
 * ```ts
 * const pending = await cluster.addMember({ learner: true });
 * await clusterClient.memberAdd({ peerURLs: [pending.peerUrl], isLearner: true });
 * const member = await pending.start();
 * ```
 */
export interface PendingMember {
  readonly index: number;
  readonly name: string;
  /** Pass this to MemberAdd (peerURLs) before start(). */
  readonly peerUrl: string;
  readonly clientUrl: string;
  readonly learner: boolean;
  /**
   * Launches the member with --initial-cluster-state=existing and the cluster's current
   * membership (read via MemberList); resolves with the member once /health is true.
   */
  start(): Promise<EtcdMember>;
}

/**
 * A running test cluster; `await using` stops it.
 *
 * @example
 * ```ts
 * await using cluster = await startEtcd({ members: 3 });
 * await cluster.kill(0);
 * await cluster.restart(0);
 * cluster.pause(1);
 * cluster.resume(1);
 * await cluster.waitHealthy();
 * ```
 */
export interface EtcdCluster extends AsyncDisposable {
  readonly members: readonly EtcdMember[];
  /** member.endpoint for each member. */
  readonly endpoints: string[];
  readonly clientUrls: string[];
  /** The cluster's temp root (member data dirs live below it). */
  readonly root: string;
  /** Sends `signal` (default SIGKILL) to member i; resolves when the process exited. */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts member i again (killing it first if running) on the same data dir and ports; resolves when healthy. */
  restart(i: number): Promise<void>;
  /** SIGSTOP member i. */
  pause(i: number): void;
  /** SIGCONT member i. */
  resume(i: number): void;
  /**
   * Cuts member i off from the other members, both ways (needs `peerProxy: true`): no raft
   * message reaches it or leaves it, while its client port stays open. The majority keeps
   * committing (run with `flags: ["--pre-vote"]` so that the isolated member's elections cannot
   * disrupt it); the isolated member applies nothing and loses its leader.
   */
  isolate(i: number): Promise<void>;
  /**
   * Delays every raft message into and out of member i by `delayMs` (needs `peerProxy: true`):
   * it applies entries late (a lagging follower), e.g. an Authenticate or a put it serves a
   * serializable read for. heal(i) ends it.
   */
  lag(i: number, delayMs: number): Promise<void>;
  /** Ends `isolate(i)` or `lag(i)`: member i's raft traffic flows at once again (held messages are delivered). */
  heal(i: number): Promise<void>;
  /** Waits until member i (or every running member) answers /health with true. */
  waitHealthy(i?: number, timeoutMs?: number): Promise<void>;
  /** Reserves a new member for membership tests; see PendingMember. */
  addMember(options?: AddMemberOptions): Promise<PendingMember>;
  /** Stops all members (SIGKILL if paused, else SIGTERM one by one and SIGKILL once 2 s passed), closes proxies, deletes the temp root; idempotent. */
  stop(): Promise<void>;
}

const MAX_START_ATTEMPTS = 3;
const STOP_GRACE_MS = 2_000;
/** How long addMember().start() waits for a MemberAdd to become visible in a member list. */
const MEMBER_ADD_VISIBLE_MS = 5_000;

interface Context {
  readonly bin: string;
  readonly root: string;
  readonly scheme: "http" | "https";
  readonly flags: readonly string[];
  readonly memberFlags: (index: number) => string[];
  readonly token: string;
  readonly withProxy: boolean;
  readonly withPeerProxy: boolean;
  /** Every proxy of the cluster (client and peer), closed by stop(). */
  readonly proxies: TcpProxy[];
  readonly startTimeoutMs: number;
  readonly healthTls: HealthTls | undefined;
}

interface Reservation {
  readonly index: number;
  readonly name: string;
  readonly clientUrl: string;
  /** The peer URL other members use: the peer proxy's when there is one. */
  readonly peerUrl: string;
  /** Where etcd listens for peers. */
  readonly peerListenUrl: string;
  readonly peerProxy: TcpProxy | undefined;
  readonly dataDir: string;
}

async function reserve(ctx: Context, indexes: readonly number[]): Promise<Reservation[]> {
  const perMember = ctx.withPeerProxy ? 3 : 2;
  const ports = await freePorts(indexes.length * perMember);
  const reservations: Reservation[] = [];
  for (const [k, index] of indexes.entries()) {
    const name = `member-${index}`;
    const peerPort = ports[perMember * k + 1]!;
    const peerListenUrl = `http://127.0.0.1:${peerPort}`;
    let peerProxy: TcpProxy | undefined;
    if (ctx.withPeerProxy) {
      peerProxy = await createTcpProxy(
        { host: "127.0.0.1", port: peerPort },
        { listenPort: ports[perMember * k + 2]!, identifySenders: true },
      );
      ctx.proxies.push(peerProxy);
    }
    reservations.push({
      index,
      name,
      clientUrl: `${ctx.scheme}://127.0.0.1:${ports[perMember * k]}`,
      peerUrl: peerProxy?.url ?? peerListenUrl,
      peerListenUrl,
      peerProxy,
      dataDir: path.join(ctx.root, name),
    });
  }
  return reservations;
}

function createHandle(ctx: Context, r: Reservation, initialCluster: string, state: "new" | "existing"): MemberHandle {
  const args = buildEtcdArgs({
    ...r,
    initialCluster,
    initialClusterState: state,
    initialClusterToken: ctx.token,
    extraFlags: [...ctx.flags, ...ctx.memberFlags(r.index)],
  });
  return createMemberHandle({ ...r, bin: ctx.bin, args, cwd: ctx.root, healthTls: ctx.healthTls, peerProxy: r.peerProxy });
}

async function attachProxy(ctx: Context, member: MemberHandle): Promise<void> {
  const port = Number(new URL(member.clientUrl).port);
  const proxy = await createTcpProxy({ host: "127.0.0.1", port }, { scheme: ctx.scheme });
  ctx.proxies.push(proxy);
  member.setProxy(proxy, proxy.url);
}

async function waitAllHealthy(members: readonly MemberHandle[], timeoutMs: number): Promise<void> {
  const abort = new AbortController();
  try {
    await Promise.all(
      members.map((m) =>
        m.waitHealthy(timeoutMs, abort.signal).catch((err: unknown) => {
          abort.abort();
          throw err;
        }),
      ),
    );
  } finally {
    abort.abort();
  }
}

/** Closes the peer proxies of reservations that will not be used. */
async function closePeerProxies(ctx: Context, reservations: readonly Reservation[]): Promise<void> {
  for (const r of reservations) {
    if (r.peerProxy === undefined) continue;
    ctx.proxies.splice(ctx.proxies.indexOf(r.peerProxy), 1);
    await r.peerProxy.close();
  }
}

/** Launches the initial members, retrying with new ports when a port was taken meanwhile. */
async function launchInitialMembers(ctx: Context, count: number, members: MemberHandle[]): Promise<void> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  for (let attempt = 1; ; attempt++) {
    const reservations = await reserve(ctx, indexes);
    const initialCluster = reservations.map((r) => `${r.name}=${r.peerUrl}`).join(",");
    members.length = 0;
    for (const r of reservations) members.push(createHandle(ctx, r, initialCluster, "new"));
    try {
      const deadline = Date.now() + ctx.startTimeoutMs;
      for (const [k, m] of members.entries()) {
        m.start();
        if (k < members.length - 1) await m.waitPeerServing(Math.max(0, deadline - Date.now()));
      }
      await waitAllHealthy(members, Math.max(0, deadline - Date.now()));
      return;
    } catch (err) {
      await Promise.all(members.map((m) => m.kill("SIGKILL")));
      await closePeerProxies(ctx, reservations);
      if (attempt >= MAX_START_ATTEMPTS || !members.some((m) => m.portInUse())) throw err;
      await Promise.all(members.map((m) => rm(m.dataDir, { recursive: true, force: true })));
    }
  }
}

/**
 * Starts a throwaway etcd cluster of real processes on 127.0.0.1 (free ports, data dirs in a
 * fresh `${os.tmpdir()}/etcdkit-test-*` root) and resolves once every member's /health is
 * true. Nothing is left behind if starting fails; stop() (or `await using`) removes everything,
 * and an exit hook kills leftovers if the test process ends first.
 *
 * @example
 * ```ts
 * await using cluster = await startEtcd({ members: 3, proxy: true });
 * const transport = createGrpcTransport({ baseUrl: cluster.endpoints[0]! });
 * await cluster.kill(0);
 * await cluster.restart(0);
 * cluster.members[1]!.proxy!.setMode("blackhole");
 * ```
 */
export async function startEtcd(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const count = options.members ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`members must be a positive integer, got ${count}`);
  const bin = findEtcdBinary();
  const root = createTempRoot();
  registerTempRoot(root);
  const ctx: Context = {
    bin,
    root,
    scheme: options.scheme ?? "http",
    flags: options.flags ?? [],
    memberFlags: options.memberFlags ?? (() => []),
    healthTls: options.healthTls,
    token: `etcdkit-${randomUUID()}`,
    withProxy: options.proxy ?? false,
    withPeerProxy: options.peerProxy ?? false,
    proxies: [],
    startTimeoutMs: options.startTimeoutMs ?? 20_000,
  };
  const members: MemberHandle[] = [];
  const proxies = ctx.proxies;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // One member at a time: a member stopping alone hands over leadership in milliseconds, while
      // members stopping together each wait for a leader transfer that cannot complete.
      // Paused members are frozen anyway (and would stall a leader transfer): SIGKILL them first.
      await Promise.all(members.filter((m) => m.paused).map((m) => m.kill("SIGKILL")));
      const deadline = Date.now() + STOP_GRACE_MS;
      for (const m of members) await m.terminate(Math.max(0, deadline - Date.now()));
      await Promise.all(proxies.map((p) => p.close()));
      await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
      unregisterTempRoot(root);
    })();
    return stopping;
  };

  try {
    await launchInitialMembers(ctx, count, members);
    if (ctx.withProxy) for (const m of members) await attachProxy(ctx, m);
  } catch (err) {
    await stop();
    throw err;
  }

  const member = (i: number): MemberHandle => {
    const m = members[i];
    if (m === undefined) throw new RangeError(`no member ${i} (cluster has ${members.length})`);
    return m;
  };
  const ensureLive = (): void => {
    if (stopping !== undefined) throw new Error("cluster was stopped");
  };
  let nextIndex = count;

  /** Member IDs in hex (as etcd's peers send them in X-Server-From), by member name. */
  const memberIds = new Map<string, string>();
  const memberIdOf = async (m: MemberHandle): Promise<string> => {
    if (!memberIds.has(m.name)) {
      for (const other of members) {
        if (!other.running || other.paused) continue;
        const list = await fetchMemberList(other.clientUrl).catch(() => undefined);
        for (const entry of list ?? []) if (entry.name !== "") memberIds.set(entry.name, BigInt(entry.id).toString(16));
        if (memberIds.has(m.name)) break;
      }
    }
    const id = memberIds.get(m.name);
    if (id === undefined) throw new Error(`${m.name}: no running member lists it`);
    return id;
  };

  /**
   * Puts every raft connection of member i in `mode` (undefined: back to passing): those the
   * other members open to it (its own peer proxy) and those it opens to them (recognized by its
   * member ID at their peer proxies).
   */
  const setRaftMode = async (i: number, mode: "blackhole" | "delay" | undefined, delayMs = 0): Promise<void> => {
    const target = member(i);
    if (target.peerProxy === undefined) throw new Error("isolate()/lag()/heal() need startEtcd({ peerProxy: true })");
    const id = await memberIdOf(target);
    target.peerProxy.setMode(mode ?? "pass", { delayMs });
    for (const other of members) if (other !== target) other.peerProxy?.setSenderMode(id, mode, { delayMs });
  };



  /** The membership as seen by the first running member that lists `peerUrl`, polling up to `waitMs`. */
  const membershipIncluding = async (peerUrl: string, waitMs: number): Promise<MemberListEntry[] | undefined> => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      for (const m of members) {
        if (!m.running || m.paused) continue;
        const list = await fetchMemberList(m.clientUrl).catch(() => undefined);
        if (list?.some((e) => e.peerUrls.includes(peerUrl))) return list;
      }
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  return {
    get members() {
      return members;
    },
    get endpoints() {
      return members.map((m) => m.endpoint);
    },
    get clientUrls() {
      return members.map((m) => m.clientUrl);
    },
    root,
    kill: (i, signal) => member(i).kill(signal),
    async restart(i) {
      ensureLive();
      const m = member(i);
      await m.kill("SIGKILL");
      m.start();
      await m.waitHealthy(ctx.startTimeoutMs);
    },
    async isolate(i) {
      ensureLive();
      await setRaftMode(i, "blackhole");
    },
    async lag(i, delayMs) {
      ensureLive();
      await setRaftMode(i, "delay", delayMs);
    },
    async heal(i) {
      await setRaftMode(i, undefined);
    },
    pause: (i) => member(i).pause(),
    resume: (i) => member(i).resume(),
    async waitHealthy(i, timeoutMs = ctx.startTimeoutMs) {
      if (i !== undefined) return member(i).waitHealthy(timeoutMs);
      const running = members.filter((m) => m.running);
      if (running.length === 0) throw new Error("no member is running");
      return waitAllHealthy(running, timeoutMs);
    },
    async addMember(addOptions = {}) {
      ensureLive();
      const [r] = await reserve(ctx, [nextIndex++]);
      if (r === undefined) throw new Error("unreachable: no reservation");
      let started: Promise<EtcdMember> | undefined;
      let launched = false;
      const start = async (): Promise<EtcdMember> => {
        ensureLive();
        // A follower may not have applied the MemberAdd yet: wait briefly until one lists it.
        const list = await membershipIncluding(r.peerUrl, MEMBER_ADD_VISIBLE_MS);
        if (!list) {
          throw new Error(`${r.name}: call MemberAdd with peerURLs ["${r.peerUrl}"] before start()`);
        }
        const initialCluster = list
          .flatMap((e, k) => {
            const name = e.peerUrls.includes(r.peerUrl) ? r.name : e.name || `unstarted-${k}`;
            return e.peerUrls.map((u) => `${name}=${u}`);
          })
          .join(",");
        const handle = createHandle(ctx, r, initialCluster, "existing");
        launched = true;
        members.push(handle);
        handle.start();
        if (ctx.withProxy) await attachProxy(ctx, handle);
        await handle.waitHealthy(ctx.startTimeoutMs);
        return handle;
      };
      return {
        index: r.index,
        name: r.name,
        peerUrl: r.peerUrl,
        clientUrl: r.clientUrl,
        learner: addOptions.learner ?? false,
        start: () => {
          // a start() refused before launching (e.g. MemberAdd not called yet) may be retried
          started ??= start().catch((err: unknown) => {
            if (!launched) started = undefined;
            throw err;
          });
          return started;
        },
      };
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
