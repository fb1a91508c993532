import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isPidAlive, signalQuietly, waitForPidsGoneSync } from "./process-liveness.js";
import { readOwnerPid, TEMP_ROOT_PREFIX, TEST_ROOT_ENV, tempRootOf, tempRootPrefix } from "./temp-root.js";

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

/** A process whose `--data-dir` is inside an etcdkit temp root. */
interface DataDirProcess {
  readonly pid: number;
  readonly root: string;
  readonly dataDir: string;
  /** Started by @etcdkit/testing for that root: same user, and the root's marker in its environment. */
  readonly ours: boolean;
}

/** Every process (by /proc/<pid>/cmdline) whose --data-dir is inside an etcdkit temp root. */
function dataDirProcesses(): DataDirProcess[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const prefix = tempRootPrefix();
  const found: DataDirProcess[] = [];
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
    if (root !== undefined) found.push({ pid, root, dataDir, ours: startedByUs(entry, root) });
  }
  return found;
}

/** Same user as this process, and the temp root's marker (TEST_ROOT_ENV) in the environment. */
function startedByUs(pid: string, root: string): boolean {
  try {
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    if (process.getuid !== undefined && uid !== String(process.getuid())) return false;
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`${TEST_ROOT_ENV}=${root}`);
  } catch {
    return false; // gone, or not ours to read
  }
}

/**
 * Lists the etcd processes @etcdkit/testing started (by /proc/<pid>/cmdline and environ): a
 * --data-dir inside an etcdkit temp root, and that root's marker in the environment. Any binary
 * name counts (ETCD_BIN may point anywhere); zombies have no cmdline and are skipped; processes
 * of other users, or without the marker, are never listed.
 *
 * @example
 * ```ts
 * for (const { pid, root } of findEtcdProcesses()) console.log(pid, root);
 * ```
 */
export function findEtcdProcesses(): { pid: number; root: string; dataDir: string }[] {
  return dataDirProcesses()
    .filter((p) => p.ours)
    .map(({ pid, root, dataDir }) => ({ pid, root, dataDir }));
}

/**
 * Cleans up after test processes that died without stopping their clusters: SIGKILLs the etcd
 * processes they started (see findEtcdProcesses: only processes carrying the harness's marker)
 * whose owning test process (pid in `<root>/owner.pid`) is gone, then deletes such abandoned temp
 * roots and scratch dirs (`createOwnedTempDir`). Roots of live owners, and roots that a process
 * the harness did not start still uses as its data dir, are left alone.
 *
 * @example
 * ```ts
 * const { killed, removed } = sweepLeftovers();
 * if (killed.length > 0) console.warn(`killed orphaned etcd: ${killed.join(", ")}`);
 * ```
 */
export function sweepLeftovers(): SweepResult {
  const killed: number[] = [];
  const inUse = new Set<string>();
  for (const { pid, root, ours } of dataDirProcesses()) {
    if (!ours || ownerAlive(root)) {
      inUse.add(root);
      continue;
    }
    if (signalQuietly(pid, "SIGKILL")) killed.push(pid);
  }
  for (const pid of waitForPidsGoneSync(killed, 2_000)) {
    const stuck = dataDirProcesses().find((p) => p.pid === pid);
    if (stuck !== undefined) inUse.add(stuck.root);
  }

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
    if (inUse.has(root)) continue;
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
