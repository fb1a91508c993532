import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Basename prefix of every temp root created by @etcdkit/testing.
 *
 * @example
 * ```ts
 * readdirSync(os.tmpdir()).filter((e) => e.startsWith(TEMP_ROOT_PREFIX));
 * ```
 */
export const TEMP_ROOT_PREFIX = "etcdkit-test-";

/**
 * Name of the file inside a temp root that holds the owning process's pid.
 *
 * @example
 * ```ts
 * readFileSync(path.join(root, OWNER_PID_FILE), "utf8"); // "12345\n"
 * ```
 */
export const OWNER_PID_FILE = "owner.pid";

/**
 * Absolute path prefix shared by all temp roots: `${os.tmpdir()}/etcdkit-test-`.
 *
 * @example
 * ```ts
 * dataDir.startsWith(tempRootPrefix()); // true for dirs made by startEtcd()
 * ```
 */
export function tempRootPrefix(): string {
  return path.join(os.tmpdir(), TEMP_ROOT_PREFIX);
}

/**
 * The environment variable that marks a process as started by @etcdkit/testing for one temp root
 * (its value is the root). The leftover sweep only ever kills processes carrying it.
 *
 * @example
 * ```ts
 * readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`${TEST_ROOT_ENV}=${root}`);
 * ```
 */
export const TEST_ROOT_ENV = "ETCDKIT_TEST_ROOT";

/**
 * The environment entries to give a process started for temp root `root`, so that the leftover
 * sweep recognizes it as ours (and nothing else).
 *
 * @example
 * ```ts
 * spawn(bin, args, { env: { ...process.env, ...testProcessEnv(root) } });
 * ```
 */
export function testProcessEnv(root: string): Record<string, string> {
  return { [TEST_ROOT_ENV]: root };
}

/**
 * Creates a scratch directory for a test (`${os.tmpdir()}/etcdkit-test-<label>-XXXXXX`) owned by
 * the current process, so that `sweepLeftovers()` removes it if the test process crashes before
 * removing it itself.
 *
 * @example
 * ```ts
 * const dir = createOwnedTempDir("proto-sync");
 * afterAll(() => rmSync(dir, { recursive: true, force: true }));
 * ```
 */
export function createOwnedTempDir(label: string, ownerPid: number = process.pid): string {
  const dir = mkdtempSync(`${tempRootPrefix()}${label}-`);
  writeFileSync(path.join(dir, OWNER_PID_FILE), `${ownerPid}\n`);
  return dir;
}

/**
 * Creates a fresh temp root and records the current pid in `<root>/owner.pid`,
 * so `sweepLeftovers()` can tell live roots from abandoned ones.
 *
 * @example
 * ```ts
 * const root = createTempRoot(); // "/tmp/etcdkit-test-AbC123"
 * ```
 */
export function createTempRoot(ownerPid: number = process.pid): string {
  const root = mkdtempSync(tempRootPrefix());
  writeFileSync(path.join(root, OWNER_PID_FILE), `${ownerPid}\n`);
  return root;
}

/**
 * Reads the owner pid of a temp root; undefined when the file is missing or malformed.
 *
 * @example
 * ```ts
 * const owner = readOwnerPid("/tmp/etcdkit-test-AbC123");
 * ```
 */
export function readOwnerPid(root: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path.join(root, OWNER_PID_FILE), "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the temp root (`${os.tmpdir()}/etcdkit-test-XXXX`) containing `file`, or undefined.
 *
 * @example
 * ```ts
 * tempRootOf("/tmp/etcdkit-test-AbC123/member-0"); // "/tmp/etcdkit-test-AbC123"
 * ```
 */
export function tempRootOf(file: string): string | undefined {
  const tmp = os.tmpdir();
  const relative = path.relative(tmp, path.resolve(file));
  if (relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  const first = relative.split(path.sep)[0];
  if (first === undefined || !first.startsWith(TEMP_ROOT_PREFIX) || first.length === TEMP_ROOT_PREFIX.length) return undefined;
  return path.join(tmp, first);
}
