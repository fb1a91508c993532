/**
 * `pnpm generate`: proto/ → gen/ (the @etcdkit/api package).
 *
 * 1. `buf generate` with the local protoc-gen-es (buf.gen.yaml) into a staging directory.
 * 2. Descriptors are embedded as plain objects, one per type, not base64 (no descriptor.proto at
 *    run time, and a bundle carries only the types it reaches).
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
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { diffTrees, listGeneratedFiles, replaceGeneratedFiles } from "./generate/generated-tree.js";
import { generateFresh } from "./generate/pipeline.js";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const genDir = join(repoRoot, "gen");
const check = process.argv.includes("--check");

const staging = mkdtempSync(join(tmpdir(), "etcdkit-generate-"));
let exitCode = 0;
try {
  const fresh = generateFresh({ repoRoot, staging }); // steps 1–3 (scripts/generate/pipeline.ts)

  if (check) {
    const differences = diffTrees(fresh, genDir);
    if (differences.length > 0) {
      console.error(`gen/ is stale against proto/ (run \`pnpm generate\`):\n  ${differences.join("\n  ")}`);
      exitCode = 1;
    } else {
      console.log(`gen/ is current (${listGeneratedFiles(genDir).length} files)`);
    }
  } else {
    replaceGeneratedFiles(fresh, genDir);
    console.log(`generated ${listGeneratedFiles(genDir).length} files into gen/`);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
process.exitCode = exitCode;
