/**
 * The generation pipeline: deterministic, in step with the committed gen/, and its staleness
 * check. Never writes to the real gen/ (copies go to temp dirs).
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitAnnotationTables } from "./annotation-tables.js";
import { diffTrees, isGeneratedFile, listGeneratedFiles, replaceGeneratedFiles } from "./generated-tree.js";
import { generateFreshAsync } from "./pipeline.js";
import { createOwnedTempDir } from "@etcdkit/testing";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const genDir = join(repoRoot, "gen");
const temp = createOwnedTempDir("generate");
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Every file under `root`, node_modules excluded (relative path → bytes). */
function allFiles(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !relative(root, path).split("/").includes("node_modules")) out.set(relative(root, path), readFileSync(path));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Runs a command to completion without blocking the other runs. */
function run(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A copy of gen/'s generated files and package.json in a temp dir. */
function copyOfGen(name: string): string {
  const copy = join(temp, name);
  for (const file of [...listGeneratedFiles(genDir), "package.json"]) cpSync(join(genDir, file), join(copy, file));
  return copy;
}

describe("the generate pipeline", () => {
  let first: string;
  let second: string;
  let check: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    // Two pipeline runs and `pnpm generate --check`, side by side.
    [first, second, check] = await Promise.all([
      generateFreshAsync({ repoRoot, staging: join(temp, "first") }),
      generateFreshAsync({ repoRoot, staging: join(temp, "second") }),
      run("pnpm", ["generate", "--check"]),
    ]);
  });

  it("produces identical output when run twice (every file, every byte)", () => {
    const a = allFiles(first);
    const b = allFiles(second);
    expect(a.size).toBeGreaterThan(10);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [file, bytes] of a) expect(b.get(file)!.equals(bytes), file).toBe(true);
  });

  it("produces what is committed in gen/", () => {
    expect(diffTrees(first, genDir)).toEqual([]);
    expect(listGeneratedFiles(first)).toEqual(expect.arrayContaining(["etcdserverpb/rpc_pb.js", "http-routes.js", "since-versions.d.ts"]));
  });

  it("diffTrees detects a stale gen: a changed, a missing and an extra file", () => {
    const stale = copyOfGen("stale");
    const rpc = join(stale, "etcdserverpb", "rpc_pb.js");
    writeFileSync(rpc, readFileSync(rpc, "utf8").replace("KV", "KVx"));
    expect(diffTrees(first, stale)).toEqual(["changed: etcdserverpb/rpc_pb.js"]);
    rmSync(join(stale, "mvccpb", "kv_pb.d.ts"));
    writeFileSync(join(stale, "old_pb.js"), "");
    expect(diffTrees(first, stale)).toEqual(["changed: etcdserverpb/rpc_pb.js", "missing: mvccpb/kv_pb.d.ts", "extra: old_pb.js"]);
  });

  it("diffTrees ignores hand-written files (package.json, tests, node_modules)", () => {
    const copy = copyOfGen("handwritten");
    writeFileSync(join(copy, "package.json"), "{}\n");
    writeFileSync(join(copy, "rpc.test.js"), "");
    mkdirSync(join(copy, "node_modules", "x"), { recursive: true });
    writeFileSync(join(copy, "node_modules", "x", "index.js"), "");
    expect(diffTrees(first, copy)).toEqual([]);
  });

  it("`pnpm generate --check` passes on the committed tree", () => {
    expect(check.stderr).not.toMatch(/stale/);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/gen\/ is current \(\d+ files\)/);
  });
});

describe("generated-tree", () => {
  it("judges files by their path inside the tree, not by where the tree lives (trees under node_modules/ or *.test.* listed nothing)", () => {
    for (const parent of ["node_modules", "x.test.y"]) {
      const fresh = join(temp, parent, "fresh");
      const current = join(temp, parent, "current");
      for (const root of [fresh, current]) {
        mkdirSync(join(root, "etcdserverpb"), { recursive: true });
        writeFileSync(join(root, "etcdserverpb", "rpc_pb.js"), "export {};\n");
      }
      writeFileSync(join(current, "etcdserverpb", "rpc_pb.js"), "export const stale = 1;\n");
      expect(listGeneratedFiles(fresh)).toEqual(["etcdserverpb/rpc_pb.js"]);
      expect(diffTrees(fresh, current)).toEqual(["changed: etcdserverpb/rpc_pb.js"]);
    }
    expect(isGeneratedFile("etcdserverpb/rpc_pb.js")).toBe(true);
    expect(isGeneratedFile("etcdserverpb/rpc_pb.d.ts")).toBe(true);
    expect(isGeneratedFile("rpc_pb.test.js")).toBe(false);
    expect(isGeneratedFile("node_modules/@bufbuild/protobuf/dist/index.js")).toBe(false);
    expect(isGeneratedFile("package.json")).toBe(false);
    expect(isGeneratedFile("rpc.test.ts")).toBe(false);
  });

  it("replaceGeneratedFiles swaps generated files, keeps hand-written ones, and removes emptied dirs (were left behind)", () => {
    const fresh = join(temp, "replace", "fresh");
    const target = join(temp, "replace", "target");
    const files: Record<string, string> = {
      "fresh/etcdserverpb/rpc_pb.js": "new\n",
      "fresh/newpb/new_pb.d.ts": "new\n",
      "target/etcdserverpb/rpc_pb.js": "old\n",
      "target/versionpb/version_pb.js": "old\n",
      "target/versionpb/deep/x_pb.d.ts": "old\n",
      "target/package.json": "{}\n",
      "target/api.test.ts": "test\n",
      "target/node_modules/dep/index.js": "dep\n",
    };
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(join(temp, "replace", file, ".."), { recursive: true });
      writeFileSync(join(temp, "replace", file), content);
    }
    replaceGeneratedFiles(fresh, target);
    expect([...allFiles(target).keys()]).toEqual(["api.test.ts", "etcdserverpb/rpc_pb.js", "newpb/new_pb.d.ts", "package.json"]);
    expect(readFileSync(join(target, "etcdserverpb/rpc_pb.js"), "utf8")).toBe("new\n");
    expect(existsSync(join(target, "versionpb"))).toBe(false);
    expect(existsSync(join(target, "node_modules/dep/index.js"))).toBe(true);
  });

  it("replaceGeneratedFiles leaves the target as it was when copying fails half-way (was left half-replaced)", () => {
    const fresh = join(temp, "rollback", "fresh");
    const target = join(temp, "rollback", "target");
    const files: Record<string, string> = {
      "fresh/a_pb.js": "new a\n",
      "fresh/b_pb.js": "new b\n",
      "fresh/c/c_pb.js": "new c\n",
      "target/a_pb.js": "old a\n",
      "target/b_pb.js": "old b\n",
      "target/stale/s_pb.d.ts": "old s\n",
      "target/package.json": "{}\n",
    };
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(join(temp, "rollback", file, ".."), { recursive: true });
      writeFileSync(join(temp, "rollback", file), content);
    }
    const before = allFiles(target);
    let copies = 0;
    const copyFailingOnTheSecond = (from: string, to: string): void => {
      if (++copies === 2) throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
      cpSync(from, to);
    };
    expect(() => replaceGeneratedFiles(fresh, target, { copy: copyFailingOnTheSecond })).toThrow(/ENOSPC/);
    const after = allFiles(target);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [file, bytes] of before) expect(after.get(file)!.equals(bytes), file).toBe(true);
    expect(existsSync(join(target, "c"))).toBe(false);
    expect(readdirSync(join(temp, "rollback"))).toEqual(["fresh", "target"]); // no backup left behind
  });
});

describe("emitAnnotationTables", () => {
  it("emits the route and since-version tables with their types", () => {
    const files = emitAnnotationTables({
      httpRoutes: {
        "etcdserverpb.Lease.LeaseRevoke": {
          method: "POST",
          path: "/v3/lease/revoke",
          body: "*",
          additionalBindings: [{ method: "POST", path: "/v3/kv/lease/revoke", body: "*" }],
        },
        "v3electionpb.Election.Leader": { method: "POST", path: "/v3/election/leader" },
      },
      sinceVersions: { "etcdserverpb.RangeRequest.min_mod_revision": "3.1" },
    });
    expect([...files.keys()]).toEqual(["http-routes.js", "http-routes.d.ts", "since-versions.js", "since-versions.d.ts"]);
    const value = (js: string) => JSON.parse(js.slice(js.indexOf("= ") + 2, js.lastIndexOf(";"))) as unknown;
    expect(value(files.get("http-routes.js")!)).toEqual({
      "etcdserverpb.Lease.LeaseRevoke": { method: "POST", path: "/v3/lease/revoke", body: "*" },
      "v3electionpb.Election.Leader": { method: "POST", path: "/v3/election/leader" },
    });
    expect(value(files.get("since-versions.js")!)).toEqual({ "etcdserverpb.RangeRequest.min_mod_revision": "3.1" });
    expect(files.get("http-routes.d.ts")).toContain("export declare const httpRoutes: Readonly<Record<string, HttpRoute>>;");
  });
});
