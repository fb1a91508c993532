import type { HealthTls } from "./http-json.js";
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { probeHealth } from "./health-check.js";
import { requestText } from "./http-json.js";
import { createLogTail } from "./log-tail.js";
import { registerProcess, unregisterProcess } from "./process-registry.js";
import type { TcpProxy } from "./tcp-proxy.js";
import { tempRootOf, testProcessEnv } from "./temp-root.js";

/**
 * One member of a test cluster started by startEtcd().
 *
 * @example
 * ```ts
 * const [m] = cluster.members;
 * const transport = createGrpcTransport({ baseUrl: m!.endpoint });
 * if (!m!.running) console.log(m!.logs());
 * ```
 */
export interface EtcdMember {
  readonly index: number;
  /** etcd member name, e.g. "member-0". */
  readonly name: string;
  /** Direct client URL, e.g. http://127.0.0.1:41234. */
  readonly clientUrl: string;
  readonly peerUrl: string;
  /** What clients should use: the proxy URL if the proxy is enabled, else clientUrl. */
  readonly endpoint: string;
  readonly proxy: TcpProxy | undefined;
  /**
   * With `peerProxy: true`: the TcpProxy in front of this member's peer port, carrying the
   * connections the other members open to this one. etcd members receive their raft messages over
   * streams they dial themselves, so these connections mostly carry this member's messages OUT
   * (plus the others' pipeline requests and snapshots to it): its own modes cut one direction.
   * Use `cluster.isolate(i)` / `lag(i, ms)` / `heal(i)` for a fault in both directions.
   */
  readonly peerProxy: TcpProxy | undefined;
  readonly dataDir: string;
  /** Process id; undefined while killed. */
  readonly pid: number | undefined;
  /** True while the process exists (also while paused). */
  readonly running: boolean;
  /** True between pause() and resume(). */
  readonly paused: boolean;
  /** Last ~200 lines of the member's stdout+stderr, across restarts. */
  logs(): string;
}

/**
 * Everything needed to (re)launch one member process.
 *
 * @example
 * ```ts
 * const spec: MemberLaunchSpec = { index: 0, name: "member-0", clientUrl, peerUrl, dataDir, bin, args, cwd: root };
 * ```
 */
export interface MemberLaunchSpec {
  readonly index: number;
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  readonly bin: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Client certificate for /health probes (members with --client-cert-auth). */
  readonly healthTls?: HealthTls | undefined;
  /** The proxy in front of the peer port, when the cluster has peer proxies. */
  readonly peerProxy?: TcpProxy | undefined;
}

/**
 * Internal control surface of a member (what EtcdCluster drives).
 *
 * @example
 * ```ts
 * const handle: MemberHandle = createMemberHandle(spec);
 * handle.start();
 * await handle.terminate(2_000);
 * ```
 */
export interface MemberHandle extends EtcdMember {
  /** Spawns the process; throws if it is already running. */
  start(): void;
  /** Sends `signal` (SIGCONT too if paused) and resolves once the process exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process exited. */
  terminate(graceMs: number): Promise<void>;
  pause(): void;
  resume(): void;
  /** Polls /health until healthy; rejects early if the process exits, or after `timeoutMs`. */
  waitHealthy(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /**
   * Resolves once the peer port answers HTTP (etcd serves peers right after bootstrapping).
   * Starting members one after another this way avoids etcd 3.4's bootstrap check hanging
   * for 1 s on a peer whose port is bound but not yet served.
   */
  waitPeerServing(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** True when the logs say a port could not be bound. */
  portInUse(): boolean;
  setProxy(proxy: TcpProxy, endpoint: string): void;
}

function childEnv(): NodeJS.ProcessEnv {
  // etcd reads ETCD_* variables as flags; keep the test's flags the only configuration.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("ETCD_") || key === "ETCD_UNSUPPORTED_ARCH") env[key] = value;
  }
  return env;
}

/**
 * Creates the handle of one etcd member; nothing runs until start().
 *
 * @example
 * ```ts
 * const member = createMemberHandle(spec);
 * member.start();
 * await member.waitHealthy(20_000);
 * await member.kill();
 * ```
 */
export function createMemberHandle(spec: MemberLaunchSpec): MemberHandle {
  const tail = createLogTail(200);
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let paused = false;
  let lastExit = "";
  let proxy: TcpProxy | undefined;
  let endpoint = spec.clientUrl;
  let starts = 0;

  const running = (): boolean => child !== undefined;
  const label = `etcd ${spec.name} (${spec.clientUrl})`;
  const withLogs = (message: string): string =>
    `${message}\n--- last log lines of ${spec.name} (data dir ${spec.dataDir}) ---\n${tail.text() || "(no output)"}`;

  /** Polls `probe` every 50 ms until done; rejects if the process exits, on abort, or after timeoutMs. */
  const poll = async (
    what: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    probe: (budgetMs: number) => Promise<{ done: boolean; detail: string }>,
  ): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let detail = "no probe yet";
    const notRunning = (): Error =>
      new Error(withLogs(`${label} ${starts === 0 ? "was never started" : `is not running (last exit: ${lastExit})`}`));
    if (child === undefined) throw notRunning();
    const stopped = exited.then(() => "exited" as const);
    for (;;) {
      signal?.throwIfAborted();
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const result = await Promise.race([probe(remaining), stopped]);
      if (result === "exited") throw notRunning();
      if (result.done) return;
      detail = result.detail;
      const wait = await Promise.race([delay(50, "slept" as const, { signal }), stopped]);
      if (wait === "exited") throw notRunning();
    }
    throw new Error(withLogs(`${label} not ${what} after ${timeoutMs} ms (${detail})`));
  };

  const handle: MemberHandle = {
    index: spec.index,
    name: spec.name,
    clientUrl: spec.clientUrl,
    peerUrl: spec.peerUrl,
    dataDir: spec.dataDir,
    get endpoint() {
      return endpoint;
    },
    get proxy() {
      return proxy;
    },
    peerProxy: spec.peerProxy,
    get pid() {
      return child?.pid;
    },
    get running() {
      return running();
    },
    get paused() {
      return paused;
    },
    logs: () => tail.text(),
    portInUse: () => tail.text().includes("address already in use"),
    setProxy(p, url) {
      proxy = p;
      endpoint = url;
    },

    start() {
      if (child !== undefined) throw new Error(`${label} is already running (pid ${child.pid})`);
      if (starts++ > 0) tail.note(`--- etcdkit: restarting ${spec.name} ---`);
      const root = tempRootOf(spec.dataDir);
      const env = root === undefined ? childEnv() : { ...childEnv(), ...testProcessEnv(root) };
      const proc = spawn(spec.bin, spec.args, { cwd: spec.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
      const pid = proc.pid;
      if (pid === undefined) {
        // spawn failed synchronously (e.g. ENOENT); the error event carries the reason
        proc.on("error", () => {});
        throw new Error(`failed to spawn ${spec.bin}`);
      }
      registerProcess(pid);
      child = proc;
      proc.stdout?.on("data", (c: Buffer) => tail.push("stdout", c));
      proc.stderr?.on("data", (c: Buffer) => tail.push("stderr", c));
      proc.on("error", (err) => tail.note(`--- etcdkit: process error: ${err.message} ---`));
      proc.once("exit", () => unregisterProcess(pid));
      // "close" comes after "exit" once stdout/stderr are drained, so the logs are complete.
      exited = new Promise<void>((resolve) => {
        proc.once("close", (code, signal) => {
          lastExit = signal !== null ? `signal ${signal}` : `code ${code}`;
          if (child === proc) {
            child = undefined;
            paused = false;
          }
          resolve();
        });
      });
    },

    async kill(signal = "SIGKILL") {
      if (signal === "SIGSTOP" || signal === "SIGCONT" || signal === "SIGTSTP") {
        throw new RangeError(`kill() waits for the process to exit; use pause()/resume() instead of ${signal}`);
      }
      const proc = child;
      if (proc === undefined) return;
      const done = exited;
      proc.kill(signal);
      if (paused && signal !== "SIGKILL") {
        proc.kill("SIGCONT");
        paused = false;
      }
      await done;
    },

    async terminate(graceMs) {
      const proc = child;
      if (proc === undefined) return;
      const done = exited;
      proc.kill("SIGTERM");
      if (paused) proc.kill("SIGCONT");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      try {
        await done;
      } finally {
        clearTimeout(timer);
      }
    },

    pause() {
      if (child === undefined) throw new Error(`${label} is not running`);
      child.kill("SIGSTOP");
      paused = true;
    },

    resume() {
      if (child === undefined) throw new Error(`${label} is not running`);
      child.kill("SIGCONT");
      paused = false;
    },

    waitHealthy(timeoutMs, signal) {
      return poll("healthy", timeoutMs, signal, async (budget) => {
        const probe = await probeHealth(spec.clientUrl, Math.min(1_000, budget), spec.healthTls);
        return { done: probe.healthy, detail: `last /health: ${probe.detail}` };
      });
    },

    waitPeerServing(timeoutMs, signal) {
      return poll("serving peers", timeoutMs, signal, async (budget) => {
        try {
          const { status } = await requestText(`${spec.peerUrl}/version`, { timeoutMs: Math.min(500, budget) });
          return { done: true, detail: `HTTP ${status}` };
        } catch (err) {
          return { done: false, detail: `last peer probe: ${err instanceof Error ? err.message : String(err)}` };
        }
      });
    },
  };
  return handle;
}
