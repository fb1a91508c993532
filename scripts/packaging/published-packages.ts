/**
 * The workspace's published packages (every `package.json` under `packages/` and `gen/` that is
 * not private), with their manifests and the source files behind their export entries.
 *
 * @example
 * ```ts
 * for (const pkg of publishedPackages()) console.log(pkg.name, pkg.dir);
 * ```
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A published workspace package. */
export interface PublishedPackage {
  /** npm name, e.g. `@etcdkit/kv`. */
  readonly name: string;
  /** Directory relative to the repository root, e.g. `packages/kv`. */
  readonly dir: string;
  /** The parsed `package.json`. */
  readonly manifest: { name: string; version: string; private?: boolean; exports?: Record<string, unknown> };
}

/**
 * Every published package of the workspace, `gen/` (`@etcdkit/api`) first.
 *
 * @example
 * ```ts
 * publishedPackages().map((pkg) => pkg.name); // ["@etcdkit/api", "@etcdkit/auth", ...]
 * ```
 */
export function publishedPackages(): PublishedPackage[] {
  const dirs = ["gen", ...readdirSync(join(repoRoot, "packages")).sort().map((d) => `packages/${d}`)];
  const out: PublishedPackage[] = [];
  for (const dir of dirs) {
    let manifest: PublishedPackage["manifest"];
    try {
      manifest = JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as PublishedPackage["manifest"];
    } catch {
      continue;
    }
    if (manifest.private === true) continue;
    out.push({ name: manifest.name, dir, manifest });
  }
  return out;
}

/**
 * The source files (`@etcdkit/source` targets) behind a package's export entries, by subpath;
 * nested condition objects (the transport's `browser`, `worker`, ...) add their own files.
 *
 * @example
 * ```ts
 * sourceEntries(kv); // [{ subpath: ".", file: "packages/kv/src/index.ts" }, { subpath: "./internal", ... }]
 * ```
 */
export function sourceEntries(pkg: PublishedPackage): { subpath: string; file: string }[] {
  const out: { subpath: string; file: string }[] = [];
  const visit = (subpath: string, node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    for (const [condition, value] of Object.entries(node)) {
      if (condition === "@etcdkit/source" && typeof value === "string") {
        const file = join(pkg.dir, value);
        if (!out.some((e) => e.file === file)) out.push({ subpath, file });
      } else visit(subpath, value);
    }
  };
  for (const [subpath, target] of Object.entries(pkg.manifest.exports ?? {})) visit(subpath, target);
  return out;
}
