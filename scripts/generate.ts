/**
 * `pnpm generate`: proto/ → gen/ (the @etcdkit/api package).
 *
 * 1. `buf generate` with the local protoc-gen-es (buf.gen.yaml) into a staging directory.
 * 2. Descriptors are embedded as plain objects, not base64 (no descriptor.proto at run time).
 * 3. The annotations extracted by proto:sync (proto/annotations.json) become two small
 *    generated tables, so no bundle needs descriptor.proto to know an RPC's HTTP route
 *    or the etcd version that introduced a field.
 * 4. gen/ is replaced with the staging output (package.json and tests are kept).
 *
 * `pnpm generate --check` does steps 1–3 and fails if gen/ differs: CI uses it to catch a
 * stale gen/. Running `pnpm generate` twice changes nothing.
 *
 * @example
 * pnpm generate          # regenerate gen/
 * pnpm generate --check  # exit 1 when gen/ is stale
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { emitAnnotationTables } from "./generate/annotation-tables.js";
import { emitRuntime, rewriteGeneratedFile } from "./generate/embedded-descriptors.js";
import { diffTrees, listGeneratedFiles, replaceGeneratedFiles } from "./generate/generated-tree.js";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const genDir = join(repoRoot, "gen");
const check = process.argv.includes("--check");

const staging = mkdtempSync(join(tmpdir(), "etcdkit-generate-"));
try {
  const buf = join(repoRoot, "node_modules", ".bin", "buf");
  execFileSync(buf, ["generate", "--output", staging], { cwd: repoRoot, stdio: "inherit" });
  const fresh = join(staging, "gen"); // buf.gen.yaml writes to `gen`, relative to --output
  embedDescriptors(fresh);
  const annotations = JSON.parse(readFileSync(join(repoRoot, "proto", "annotations.json"), "utf8"));
  for (const [file, content] of emitAnnotationTables(annotations)) writeFileSync(join(fresh, file), content);

  if (check) {
    const differences = diffTrees(fresh, genDir);
    if (differences.length > 0) {
      console.error(`gen/ is stale against proto/ (run \`pnpm generate\`):\n  ${differences.join("\n  ")}`);
      process.exit(1);
    }
    console.log(`gen/ is current (${listGeneratedFiles(genDir).length} files)`);
  } else {
    replaceGeneratedFiles(fresh, genDir);
    console.log(`generated ${listGeneratedFiles(genDir).length} files into gen/`);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}

/** Replaces base64 descriptors with plain literals (see scripts/generate/embedded-descriptors.ts). */
function embedDescriptors(root: string): void {
  const usedTypes = new Set<string>();
  for (const file of listGeneratedFiles(root).filter((f) => f.endsWith("_pb.js"))) {
    const path = join(root, file);
    const rewritten = rewriteGeneratedFile(readFileSync(path, "utf8"), file);
    rewritten.usedTypes.forEach((t) => usedTypes.add(t));
    writeFileSync(path, rewritten.source);
  }
  const runtime = emitRuntime(usedTypes);
  mkdirSync(join(root, "runtime"), { recursive: true });
  writeFileSync(join(root, "runtime", "embedded-file.js"), runtime.js);
  writeFileSync(join(root, "runtime", "embedded-file.d.ts"), runtime.dts);
}
