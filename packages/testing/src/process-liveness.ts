import { readFileSync } from "node:fs";

/**
 * True when `pid` names a live process. Zombies (exited, not yet reaped) count as dead.
 * Uses /proc on Linux and falls back to `process.kill(pid, 0)` elsewhere.
 *
 * @example
 * ```ts
 * if (!isPidAlive(ownerPid)) rmSync(root, { recursive: true, force: true });
 * ```
 */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X" && state !== "x";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Blocks the thread for `ms` milliseconds (for `process.on("exit")` handlers, which cannot await).
 *
 * @example
 * ```ts
 * sleepSync(10);
 * ```
 */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Synchronously waits until none of `pids` is alive, or `timeoutMs` passed.
 * Returns the pids still alive at the end.
 *
 * @example
 * ```ts
 * process.kill(pid, "SIGKILL");
 * waitForPidsGoneSync([pid], 2_000);
 * ```
 */
export function waitForPidsGoneSync(pids: readonly number[], timeoutMs: number): number[] {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isPidAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    sleepSync(10);
    alive = alive.filter(isPidAlive);
  }
  return alive;
}

/**
 * Sends `signal` to `pid`, ignoring "no such process".
 *
 * @example
 * ```ts
 * signalQuietly(pid, "SIGKILL");
 * ```
 */
export function signalQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
