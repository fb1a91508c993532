import { accessSync, constants, statSync } from "node:fs";
import * as path from "node:path";

/**
 * Environment shape read by the binary finders (defaults to `process.env`).
 *
 * @example
 * ```ts
 * findEtcdBinary({ ETCD_BIN: "/opt/etcd/etcd" });
 * ```
 */
export type BinaryEnv = Readonly<Record<string, string | undefined>>;

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findBinary(name: string, envVar: string, installHint: string, env: BinaryEnv): string {
  const notFound = `${name} not found: set ${envVar} or install it (${installHint})`;
  const explicit = env[envVar];
  if (explicit !== undefined && explicit !== "") {
    if (isExecutableFile(explicit)) return path.resolve(explicit);
    throw new Error(`${notFound}; ${envVar}=${explicit} is not an executable file`);
  }
  for (const dir of (env["PATH"] ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new Error(notFound);
}

/**
 * Locates the etcd server binary: `ETCD_BIN` if set, else `etcd` on `PATH`.
 * Throws an Error explaining how to install etcd when it is missing.
 *
 * @example
 * ```ts
 * const bin = findEtcdBinary(); // "/usr/bin/etcd"
 * ```
 */
export function findEtcdBinary(env: BinaryEnv = process.env): string {
  return findBinary("etcd", "ETCD_BIN", "Debian: apt-get install -y etcd-server etcd-client", env);
}

/**
 * Locates the etcdctl binary: `ETCDCTL_BIN` if set, else `etcdctl` on `PATH`.
 * Throws an Error explaining how to install etcdctl when it is missing.
 *
 * @example
 * ```ts
 * execFileSync(findEtcdctlBinary(), ["--endpoints", cluster.clientUrls.join(","), "member", "list"]);
 * ```
 */
export function findEtcdctlBinary(env: BinaryEnv = process.env): string {
  return findBinary("etcdctl", "ETCDCTL_BIN", "Debian: apt-get install -y etcd-client", env);
}
