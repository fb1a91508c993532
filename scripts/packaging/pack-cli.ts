/**
 * `pnpm pack:packages <dir>`: one tarball per published package in `<dir>` (default
 * `.etcdkit-tmp/packs`), from the current build (run `pnpm build` first), to install into another
 * project before a release: `npm install <dir>/*.tgz`.
 *
 * @example
 * ```sh
 * pnpm build && pnpm pack:packages /tmp/etcdkit-packs
 * ```
 */
import { resolve } from "node:path";
import { packPackages } from "./pack-packages.js";
import { repoRoot } from "./published-packages.js";

const destination = resolve(process.env["INIT_CWD"] ?? process.cwd(), process.argv[2] ?? resolve(repoRoot, ".etcdkit-tmp/packs"));
for (const pkg of await packPackages(destination)) console.log(pkg.tarball);
