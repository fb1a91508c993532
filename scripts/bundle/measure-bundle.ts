/**
 * Bundles one entry with esbuild (ESM, minified, tree-shaken; node built-ins external, or for
 * `platform: "browser"` entries not allowed at all) and reports its size and which modules ended
 * up in it.
 *
 * @example
 * const result = await measureBundle(entry);
 * result.gzip; result.modules.some((m) => m.path.includes("descriptor_pb")); // false
 */
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { BundleEntry } from "./bundle-entries.js";

export interface BundleModule {
  path: string;
  bytes: number;
}

export interface BundleResult {
  name: string;
  minified: number;
  gzip: number;
  /** Modules that contribute bytes to the output, largest first. */
  modules: BundleModule[];
  code: string;
}

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export async function measureBundle(entry: BundleEntry): Promise<BundleResult> {
  const result = await build({
    stdin: {
      contents: entry.source,
      resolveDir: entry.resolveFrom ? `${repoRoot}${entry.resolveFrom}` : repoRoot,
      loader: "ts",
      sourcefile: `${entry.name.replace(/\W+/g, "-")}.ts`,
    },
    bundle: true,
    minify: true,
    format: "esm",
    platform: entry.platform ?? "node",
    conditions: ["@etcdkit/source"],
    external: entry.platform === "browser" ? [] : ["node:*"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  const modules = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path, input]) => ({ path: path.replace(/^.*node_modules\//, ""), bytes: input.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  const code = result.outputFiles[0]!.text;
  return { name: entry.name, minified: Buffer.byteLength(code), gzip: gzipSync(code).length, modules, code };
}
