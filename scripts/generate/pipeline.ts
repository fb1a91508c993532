/**
 * The generation pipeline behind `pnpm generate`, as a function: a buf module of normalized
 * etcd protos (with its annotations.json) → a fresh gen/ tree in a staging directory.
 *
 * 1. `buf generate` with the local protoc-gen-es (the repo's buf.gen.yaml; no network).
 * 2. Descriptors are embedded as plain objects, one per type, not base64 (see per-type-descriptors.ts).
 * 3. annotations.json → the http-routes and since-versions tables.
 *
 * scripts/generate.ts runs it on proto/ and then checks or replaces gen/; tests run it on
 * synced fixture trees and into temp dirs.
 *
 * @example
 * const staging = mkdtempSync(join(tmpdir(), "gen-"));
 * const fresh = generateFresh({ repoRoot, staging }); // `${staging}/gen`; compare with diffTrees
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { emitAnnotationTables, type Annotations } from "./annotation-tables.js";
import { emitDescriptorRuntime } from "./descriptor-runtime.js";
import { rewriteGeneratedTree } from "./per-type-descriptors.js";
import { listGeneratedFiles } from "./generated-tree.js";

export interface GenerateOptions {
  /** The workspace root: buf.yaml, buf.gen.yaml and node_modules/.bin/buf live here. */
  repoRoot: string;
  /** An empty directory to generate into; the tree lands in `<staging>/gen`. */
  staging: string;
  /**
   * A directory of synced protos (as `pnpm proto:sync` writes them, with annotations.json) to
   * use as the buf module instead of the workspace's buf.yaml module (`proto/`).
   */
  protoDir?: string;
}

/** Generates the gen/ tree into `<staging>/gen` and returns that path. */
export function generateFresh(options: GenerateOptions): string {
  const [buf, args] = bufGenerate(options);
  execFileSync(buf, args, { cwd: options.repoRoot, stdio: "inherit" });
  return postProcess(options);
}

/** generateFresh without blocking: several generations (tests) can run side by side. */
export async function generateFreshAsync(options: GenerateOptions): Promise<string> {
  const [buf, args] = bufGenerate(options);
  await promisify(execFile)(buf, args, { cwd: options.repoRoot });
  return postProcess(options);
}

function bufGenerate({ repoRoot, staging, protoDir }: GenerateOptions): [buf: string, args: string[]] {
  const buf = join(repoRoot, "node_modules", ".bin", "buf");
  const input = protoDir === undefined ? [] : [resolve(protoDir), "--template", join(repoRoot, "buf.gen.yaml")];
  return [buf, ["generate", ...input, "--output", resolve(staging)]];
}

/** Steps 2 and 3 on buf's output. */
function postProcess({ repoRoot, staging, protoDir }: GenerateOptions): string {
  const fresh = join(staging, "gen"); // buf.gen.yaml writes to `gen`, relative to --output
  embedDescriptors(fresh);
  const annotationsFile = join(protoDir ?? join(repoRoot, "proto"), "annotations.json");
  const annotations = JSON.parse(readFileSync(annotationsFile, "utf8")) as Annotations;
  for (const [file, content] of emitAnnotationTables(annotations)) writeFileSync(join(fresh, file), content);
  return fresh;
}

/** Replaces base64 file descriptors with per-type literals (see ./per-type-descriptors.ts). */
function embedDescriptors(root: string): void {
  const paths = listGeneratedFiles(root).filter((f) => f.endsWith("_pb.js"));
  const { files, usedTypes } = rewriteGeneratedTree(new Map(paths.map((f) => [f, readFileSync(join(root, f), "utf8")])));
  for (const [file, source] of files) writeFileSync(join(root, file), source);
  const runtime = emitDescriptorRuntime(usedTypes);
  mkdirSync(join(root, "runtime"), { recursive: true });
  writeFileSync(join(root, "runtime", "descriptors.js"), runtime.js);
  writeFileSync(join(root, "runtime", "descriptors.d.ts"), runtime.dts);
}
