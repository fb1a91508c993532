/**
 * Packs every published workspace package with `pnpm pack` (which turns `workspace:*` into the
 * real versions), from its current `dist/` (run `pnpm build` first). Offline: nothing is fetched.
 *
 * @example
 * ```ts
 * const tarballs = await packPackages("/tmp/etcdkit-packs");
 * // [{ name: "@etcdkit/api", dir: "gen", tarball: "/tmp/etcdkit-packs/etcdkit-api-0.1.0.tgz" }, ...]
 * ```
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { publishedPackages, repoRoot, type PublishedPackage } from "./published-packages.js";

const run = promisify(execFile);

/** A packed package: its name, workspace directory and tarball path. */
export interface PackedPackage {
  readonly name: string;
  readonly dir: string;
  readonly tarball: string;
}

/** The file name `pnpm pack` gives a package's tarball (`@etcdkit/kv` 0.1.0 → `etcdkit-kv-0.1.0.tgz`). */
export function tarballName(pkg: PublishedPackage): string {
  return `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.manifest.version}.tgz`;
}

/**
 * Packs every published package into `destination` (created if missing), two at a time. Throws
 * when a package has no build (`dist/` missing) or `pnpm pack` fails.
 */
export async function packPackages(destination: string): Promise<PackedPackage[]> {
  mkdirSync(destination, { recursive: true });
  const packages = publishedPackages();
  for (const pkg of packages) {
    if (pkg.dir !== "gen" && !existsSync(join(repoRoot, pkg.dir, "dist"))) {
      throw new Error(`${pkg.name} has no dist/: run \`pnpm build\` first`);
    }
  }
  const queue = [...packages];
  const worker = async (): Promise<void> => {
    for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) {
      await run("pnpm", ["pack", "--pack-destination", destination], { cwd: join(repoRoot, pkg.dir), maxBuffer: 16 * 1024 * 1024 });
    }
  };
  await Promise.all([worker(), worker()]);
  return packages.map((pkg) => ({ name: pkg.name, dir: pkg.dir, tarball: join(destination, tarballName(pkg)) }));
}
