/**
 * etcdkit as a new user gets it: every published package packed (`pnpm pack`), the tarballs
 * installed with npm into a fresh project outside the workspace, then (a) a CommonJS app
 * require()s every public entry point and puts/gets through the client against a real etcd, and
 * (b) a strict TypeScript app, compiled with the tsconfig of the root README's "Using etcdkit in
 * your project", runs on this Node.js. Needs a build (`pnpm build`; done here when a package has
 * no dist/) and the npm registry for the third-party dependencies.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { createOwnedTempDir, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packPackages } from "./pack-packages.js";
import { publishedPackages, repoRoot } from "./published-packages.js";

const run = promisify(execFile);
const temp = createOwnedTempDir("consumer");
const app = join(temp, "app");
const tsc = join(repoRoot, "node_modules", ".bin", "tsc");
let cluster: EtcdCluster;

/** The public import specifiers of every published package (the generated modules by name). */
const specifiers = publishedPackages().flatMap((pkg) =>
  pkg.dir === "gen"
    ? ["etcdserverpb/rpc_pb", "mvccpb/kv_pb", "authpb/auth_pb", "v3lockpb/v3lock_pb", "v3electionpb/v3election_pb"].map((m) => `${pkg.name}/${m}`)
    : Object.keys(pkg.manifest.exports ?? {})
        .filter((subpath) => subpath !== "./internal")
        .map((subpath) => (subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)),
);

/** The ```json block after the root README's heading `heading`. */
function readmeJson(heading: string): Record<string, unknown> {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no heading ${heading}`);
  const block = /```json\n([\s\S]*?)\n```/.exec(readme.slice(start));
  if (block === null) throw new Error(`README has no json block after ${heading}`);
  return JSON.parse(block[1]!) as Record<string, unknown>;
}

/** Compiles the TypeScript app with `compilerOptions` (merged over the README's), into `outDir`. */
async function compile(outDir: string, compilerOptions: Record<string, unknown> = {}): Promise<{ ok: boolean; output: string }> {
  const recommended = readmeJson("### Your tsconfig") as { compilerOptions: Record<string, unknown> };
  const config = { compilerOptions: { ...recommended.compilerOptions, ...compilerOptions, outDir }, files: ["app.ts"] };
  const file = join(app, `tsconfig.${outDir}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  try {
    const { stdout } = await run(tsc, ["-p", file], { cwd: app, timeout: 120_000 });
    return { ok: true, output: stdout };
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}

async function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: app, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout = "", stderr = "" } = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof code === "number" ? code : 1, stdout, stderr };
  }
}

const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;

beforeAll(async () => {
  const etcd = startEtcd({ members: 1 });
  try {
    if (publishedPackages().some((pkg) => pkg.dir !== "gen" && !existsSync(join(repoRoot, pkg.dir, "dist")))) {
      await run("pnpm", ["build"], { cwd: repoRoot, timeout: 600_000 });
    }
    const tarballs = await packPackages(join(temp, "packs"));
    cpSync(join(repoRoot, "scripts/packaging/consumer"), app, { recursive: true });
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "etcdkit-consumer", private: true, type: "module" }, null, 2));
    await run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline", ...tarballs.map((t) => t.tarball), "@types/node@^20.19.0"],
      { cwd: app, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } finally {
    cluster = await etcd;
  }
}, 900_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(temp, { recursive: true, force: true });
});

describe("a project that installs the packed tarballs with npm", () => {
  it("installs every package from its tarball, none from the registry", () => {
    for (const pkg of publishedPackages()) {
      const manifest = JSON.parse(readFileSync(join(app, "node_modules", pkg.name, "package.json"), "utf8")) as { version: string };
      expect(manifest.version, pkg.name).toBe(pkg.manifest.version);
      expect(existsSync(join(app, "node_modules", pkg.name, "node_modules", "@etcdkit")), `${pkg.name} has nested etcdkit copies`).toBe(false);
    }
  });

  it("a CommonJS app require()s every public entry point and puts/gets through the client", async () => {
    const result = await node(["app.cjs", cluster.endpoints[0]!, ...specifiers]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED|ERR_REQUIRE_ESM/);
    const output = lastJson(result.stdout) as { exportsBySpecifier: Record<string, number>; value: string; sameRevision: boolean; emptyKey: string };
    expect(Object.keys(output.exportsBySpecifier).sort()).toEqual([...specifiers].sort());
    for (const [specifier, count] of Object.entries(output.exportsBySpecifier)) expect(count, specifier).toBeGreaterThan(0);
    expect(output).toMatchObject({ value: "required", sameRevision: true, emptyKey: "empty-key" });
  });

  it('an app run with its own monorepo\'s "source" condition still gets the built JavaScript', async () => {
    const resolve = `console.log(JSON.stringify(${JSON.stringify(specifiers)}.map((s) => require.resolve(s))))`;
    const resolved = await node(["--conditions=source", "-e", resolve]);
    expect(resolved.code, resolved.stderr).toBe(0);
    const files = JSON.parse(resolved.stdout) as string[];
    expect(files.filter((file) => !file.endsWith(".js"))).toEqual([]);
    const result = await node(["--conditions=source", "app.cjs", cluster.endpoints[0]!, ...specifiers]);
    expect(result.code, result.stderr).toBe(0);
    expect(lastJson(result.stdout)).toMatchObject({ value: "required", sameRevision: true });
  });

  it("a strict TypeScript app compiles with the README's tsconfig and runs on this Node.js", async () => {
    const compiled = await compile("dist");
    expect(compiled.output).toBe("");
    expect(compiled.ok).toBe(true);
    const result = await node(["dist/app.js", cluster.endpoints[0]!]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { value: "compiled", viaTransport: "compiled", revisionMatches: true, emptyKey: "empty-key" },
      { afterDispose: "transport-closed" },
    ]);
  });

  it("needs skipLibCheck or the DOM lib: Connect's declarations use fetch's HeadersInit", async () => {
    const without = await compile("dist-strict-libs", { skipLibCheck: false });
    expect(without.ok).toBe(false);
    expect(without.output).toMatch(/HeadersInit/);
    const withDom = await compile("dist-dom", { skipLibCheck: false, lib: ["ES2022", "ESNext.Disposable", "DOM"] });
    expect(withDom.output).toBe("");
  });

  it.runIf(Number(process.versions.node.split(".")[0]) < 24)(
    "needs a down-levelling target on Node 20/22: with target ESNext, `await using` is a SyntaxError there",
    async () => {
      const compiled = await compile("dist-esnext", { target: "ESNext" });
      expect(compiled.ok, compiled.output).toBe(true);
      expect(readFileSync(join(app, "dist-esnext", "app.js"), "utf8")).toMatch(/await using /);
      const result = await node(["dist-esnext/app.js", cluster.endpoints[0]!]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/SyntaxError/);
    },
  );
});
