/**
 * `pnpm lint:types`: packs every published package (run `pnpm build` first) and checks each
 * tarball with `@arethetypeswrong/cli --profile esm-only` (the packages are ESM-only: the
 * CommonJS `require()` resolutions are not checked here but by `consumer.test.ts`). Works offline.
 * Exits non-zero, printing attw's report, when a package has a problem.
 *
 * @example
 * ```sh
 * pnpm build && pnpm lint:types
 * ```
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { packPackages } from "./pack-packages.js";
import { repoRoot } from "./published-packages.js";

const run = promisify(execFile);

/** The generated package exports `./*`; attw checks wildcard subpaths only when named. */
const apiEntrypoints = ["./etcdserverpb/rpc_pb", "./mvccpb/kv_pb", "./authpb/auth_pb", "./v3lockpb/v3lock_pb", "./v3electionpb/v3election_pb"];

const destination = mkdtempSync(join(tmpdir(), "etcdkit-attw-"));
let failed = 0;
try {
  for (const pkg of await packPackages(destination)) {
    const args = [pkg.tarball, "--profile", "esm-only", "--format", "ascii", "--no-color", "--no-emoji"];
    if (pkg.name === "@etcdkit/api") args.push("--include-entrypoints", ...apiEntrypoints);
    try {
      await run(join(repoRoot, "node_modules/.bin/attw"), args, { cwd: destination, maxBuffer: 16 * 1024 * 1024 });
      console.log(`ok   ${pkg.name}`);
    } catch (err) {
      failed++;
      const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
      console.log(`FAIL ${pkg.name}\n${stdout}${stderr}`);
    }
  }
} finally {
  rmSync(destination, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`attw: ${failed} package(s) with type problems`);
  process.exit(1);
}
