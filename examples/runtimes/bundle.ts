/**
 * Bundles an entry of the runtime tests or examples with esbuild into one ESM file, as a user
 * would for the target runtime: "node" (Node, Bun, Deno: `node:` modules stay imports),
 * "browser" (a page, or a Worker with `conditions: ["workerd", "worker"]`: the packages' browser
 * entries, no `node:` module allowed).
 *
 * @example
 * const file = await bundleEntry("examples/worker/src/worker.ts", outDir, { platform: "browser", conditions: ["workerd", "worker"] });
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export async function bundleEntry(
  entry: string,
  outDir: string,
  options: { platform: "node" | "browser"; conditions?: string[]; outName?: string },
): Promise<string> {
  const outfile = join(outDir, options.outName ?? "bundle.mjs");
  await build({
    entryPoints: [resolve(repoRoot, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: options.platform,
    target: "es2022",
    // The workspace's sources, as a published build would be resolved.
    conditions: ["@etcdkit/source", ...(options.conditions ?? [])],
    external: options.platform === "node" ? ["node:*"] : [],
    logLevel: "error",
  });
  return outfile;
}
