import { rmSync } from "node:fs";
import { signalQuietly, waitForPidsGoneSync } from "./process-liveness.js";

/**
 * Module-level bookkeeping of everything @etcdkit/testing started in this process, so that
 * nothing survives the test process: on `process.on("exit")` and on SIGINT/SIGTERM/SIGHUP
 * (vitest's fork pool ends workers with SIGTERM) live etcd processes get SIGKILL and temp
 * roots are removed synchronously.
 */
const liveProcesses = new Set<number>();
const tempRoots = new Set<string>();
const HANDLED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let exitHookInstalled = false;
let signalHooksInstalled = false;

function onSignal(signal: NodeJS.Signals): void {
  for (const other of HANDLED_SIGNALS) process.off(other, onSignal);
  signalHooksInstalled = false;
  cleanupRegisteredSync();
  // Restore the default behaviour (terminate) unless someone else handles the signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function updateHooks(): void {
  if (!exitHookInstalled) {
    process.on("exit", cleanupRegisteredSync);
    exitHookInstalled = true;
  }
  const wanted = liveProcesses.size > 0 || tempRoots.size > 0;
  if (wanted && !signalHooksInstalled) {
    for (const signal of HANDLED_SIGNALS) process.once(signal, onSignal);
    signalHooksInstalled = true;
  } else if (!wanted && signalHooksInstalled) {
    for (const signal of HANDLED_SIGNALS) process.off(signal, onSignal);
    signalHooksInstalled = false;
  }
}

/**
 * Records a spawned process so the exit hook kills it if nobody else does.
 *
 * @example
 * ```ts
 * registerProcess(child.pid!);
 * child.once("exit", () => unregisterProcess(child.pid!));
 * ```
 */
export function registerProcess(pid: number): void {
  liveProcesses.add(pid);
  updateHooks();
}

/**
 * Forgets a process once it has exited.
 *
 * @example
 * ```ts
 * unregisterProcess(pid);
 * ```
 */
export function unregisterProcess(pid: number): void {
  liveProcesses.delete(pid);
  updateHooks();
}

/**
 * Records a temp root so the exit hook removes it.
 *
 * @example
 * ```ts
 * registerTempRoot(createTempRoot());
 * ```
 */
export function registerTempRoot(root: string): void {
  tempRoots.add(root);
  updateHooks();
}

/**
 * Forgets a temp root once it has been removed.
 *
 * @example
 * ```ts
 * await rm(root, { recursive: true, force: true });
 * unregisterTempRoot(root);
 * ```
 */
export function unregisterTempRoot(root: string): void {
  tempRoots.delete(root);
  updateHooks();
}

/**
 * SIGKILLs every registered process, waits (up to 2 s) until they are gone and removes every
 * registered temp root. Synchronous, so it is safe inside `process.on("exit")`.
 *
 * @example
 * ```ts
 * process.on("exit", cleanupRegisteredSync);
 * ```
 */
export function cleanupRegisteredSync(): void {
  const pids = [...liveProcesses];
  for (const pid of pids) signalQuietly(pid, "SIGKILL");
  waitForPidsGoneSync(pids, 2_000);
  liveProcesses.clear();
  for (const root of tempRoots) {
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch {
      // best effort: sweepLeftovers() removes it later
    }
  }
  tempRoots.clear();
}
