import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isPidAlive, signalQuietly, waitForPidsGoneSync } from "./process-liveness.js";
import { readOwnerPid, TEMP_ROOT_PREFIX, tempRootOf, tempRootPrefix } from "./temp-root.js";

/**
 * What sweepLeftovers() cleaned up.
 *
 * @example
 * ```ts
 * const { killed, removed }: SweepResult = sweepLeftovers();
 * ```
 */
export interface SweepResult {
  /** Pids of etcd processes that got SIGKILL. */
  killed: number[];
  /** Temp roots that were deleted. */
  removed: string[];
}

/** A temp root without owner.pid younger than this may be in the middle of being created. */
const UNOWNED_GRACE_MS = 60_000;

function dataDirOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    for (const flag of ["--data-dir", "-data-dir"]) {
      if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
      if (arg === flag) return argv[i + 1];
    }
  }
  return undefined;
}

function ownerAlive(root: string): boolean {
  const owner = readOwnerPid(root);
  return owner !== undefined && isPidAlive(owner);
}

/**
 * Lists etcd processes (by /proc/<pid>/cmdline) whose --data-dir is inside an etcdkit temp root.
 * Any binary name counts (ETCD_BIN may point anywhere); zombies have no cmdline and are skipped.
 *
 * @example
 * ```ts
 * for (const { pid, root } of findEtcdProcesses()) console.log(pid, root);
 * ```
 */
export function findEtcdProcesses(): { pid: number; root: string; dataDir: string }[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const prefix = tempRootPrefix();
  const found: { pid: number; root: string; dataDir: string }[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
    } catch {
      continue;
    }
    const dataDir = dataDirOf(argv);
    if (dataDir === undefined || !path.resolve(dataDir).startsWith(prefix)) continue;
    const root = tempRootOf(dataDir);
    if (root !== undefined) found.push({ pid, root, dataDir });
  }
  return found;
}

/**
 * Cleans up after test processes that died without stopping their clusters: SIGKILLs etcd
 * processes whose data dir is under `${os.tmpdir()}/etcdkit-test-*` and whose owning test
 * process (pid in `<root>/owner.pid`) is gone, then deletes such abandoned temp roots.
 * Roots of live owners are left alone, so concurrent test runs do not disturb each other.
 *
 * @example
 * ```ts
 * const { killed, removed } = sweepLeftovers();
 * if (killed.length > 0) console.warn(`killed orphaned etcd: ${killed.join(", ")}`);
 * ```
 */
export function sweepLeftovers(): SweepResult {
  const killed: number[] = [];
  for (const { pid, root } of findEtcdProcesses()) {
    if (ownerAlive(root)) continue;
    if (signalQuietly(pid, "SIGKILL")) killed.push(pid);
  }
  waitForPidsGoneSync(killed, 2_000);

  const removed: string[] = [];
  const tmp = os.tmpdir();
  let entries: string[];
  try {
    entries = readdirSync(tmp);
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    if (!entry.startsWith(TEMP_ROOT_PREFIX) || entry.length === TEMP_ROOT_PREFIX.length) continue;
    const root = path.join(tmp, entry);
    try {
      if (!statSync(root).isDirectory()) continue;
      if (readOwnerPid(root) === undefined) {
        if (Date.now() - statSync(root).mtimeMs < UNOWNED_GRACE_MS) continue;
      } else if (ownerAlive(root)) {
        continue;
      }
      rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
      removed.push(root);
    } catch {
      // vanished meanwhile or not removable: skip
    }
  }
  return { killed, removed };
}
