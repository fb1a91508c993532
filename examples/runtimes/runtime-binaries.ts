/**
 * Where the runtimes the tests use live on this machine. Bun, Deno and workerd come from npm
 * (devDependencies of the workspace): their binaries ship in platform packages (`@oven/bun-*`,
 * `@deno/*`, `@cloudflare/workerd-*`) that `pnpm install` adds without running any install
 * script, so they are resolved from there. Chromium is Debian's (`/usr/bin/chromium`, installed
 * by `npm test` through scripts/lib/ensure-tools.sh), or `CHROMIUM_BIN`.
 *
 * @example
 * const bun = runtimeBinary("bun"); // .../@oven/bun-linux-x64/bin/bun
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The platform package and the binary's path inside it, per runtime, for this OS and CPU. */
function platformBinary(runtime: "bun" | "deno" | "workerd"): { pkg: string; path: string } {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  switch (runtime) {
    case "bun":
      return { pkg: `@oven/bun-${process.platform}-${arch === "arm64" ? "aarch64" : "x64"}`, path: "bin/bun" };
    case "deno":
      return { pkg: `@deno/${process.platform}-${arch}${process.platform === "linux" ? "-glibc" : ""}`, path: "deno" };
    case "workerd":
      return { pkg: `@cloudflare/workerd-${process.platform}-${arch === "arm64" ? "arm64" : "64"}`, path: "bin/workerd" };
  }
}

/**
 * The path of the `bun`, `deno` or `workerd` binary installed with the workspace. Throws, saying
 * what to run, when it is missing.
 *
 * @example
 * spawnSync(runtimeBinary("deno"), ["--version"]);
 */
export function runtimeBinary(runtime: "bun" | "deno" | "workerd"): string {
  const { pkg, path } = platformBinary(runtime);
  try {
    const wrapper = dirname(require.resolve(`${runtime}/package.json`));
    const binary = join(dirname(createRequire(join(wrapper, "package.json")).resolve(`${pkg}/package.json`)), path);
    if (existsSync(binary)) return binary;
  } catch {
    // reported below
  }
  throw new Error(`${runtime}: ${pkg} is not installed; run \`pnpm install\` (it is a devDependency of the workspace)`);
}

/**
 * The Chromium binary: `CHROMIUM_BIN`, else Debian's `/usr/bin/chromium`.
 *
 * @example
 * await chromium.launch({ executablePath: chromiumBinary(), args: chromiumArgs(profileDir) });
 */
export function chromiumBinary(): string {
  const binary = process.env["CHROMIUM_BIN"] ?? "/usr/bin/chromium";
  if (!existsSync(binary)) throw new Error(`no Chromium at ${binary}: install it (apt-get install -y chromium) or set CHROMIUM_BIN`);
  return binary;
}

/**
 * Chromium's flags for a closed, shared machine: headless, no sandbox (root), and none of the
 * background networking that otherwise stalls the start; a fresh profile directory each time.
 *
 * @example
 * chromiumArgs("/tmp/profile-1");
 */
export function chromiumArgs(userDataDir: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${userDataDir}`,
  ];
}
