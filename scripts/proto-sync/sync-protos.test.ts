import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { copyDebian34Tree, debianEtcd } from "./fixtures/etcd-trees.js";
import { ProtoSyncError, syncProtos } from "./sync-protos.js";
import { createOwnedTempDir } from "@etcdkit/testing";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const committedProto = join(repoRoot, "proto");
const temp = createOwnedTempDir("proto-sync");
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Every file under `root` (relative path → bytes), directories included as "dir/". */
function snapshot(root: string): Map<string, Buffer | "dir"> {
  const out = new Map<string, Buffer | "dir">();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        out.set(`${relative(root, path)}/`, "dir");
        walk(path);
      } else out.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The first lines of a PROVENANCE that proto:sync wrote. */
const earlierProvenance =
  "etcd API protos, vendored for etcdkit code generation.\n\netcd version: 3.4.22\nsource: /somewhere\nlayout: etcd 3.4\n" +
  "license: Apache-2.0\nnormalized by: pnpm proto:sync (scripts/proto-sync)\n";

/**
 * The etcd source tree the committed proto/ was synced from, as its PROVENANCE names it, when that
 * tree is on this machine (after a regeneration from another checkout it may not be).
 */
function committedSource(): string | undefined {
  const source = /^source: (.+)$/m.exec(readFileSync(join(committedProto, "PROVENANCE"), "utf8"))?.[1];
  return source !== undefined && existsSync(source) ? source : undefined;
}

let cases = 0;
/** A fresh case dir holding a target `proto/` with a sentinel file, as a previous sync would leave it. */
function caseDir(): { dir: string; out: string } {
  const dir = join(temp, `case-${cases++}`);
  const out = join(dir, "proto");
  mkdirSync(join(out, "etcdserverpb"), { recursive: true });
  writeFileSync(join(out, "PROVENANCE"), earlierProvenance);
  writeFileSync(join(out, "SENTINEL"), "left by an earlier sync\n");
  writeFileSync(join(out, "etcdserverpb", "rpc.proto"), 'syntax = "proto3";\n');
  return { dir, out };
}

/** Runs syncProtos, expects a ProtoSyncError, and checks that nothing changed in the case dir. */
function expectCleanFailure(from: string, message: RegExp): ProtoSyncError {
  const { dir, out } = caseDir();
  const before = snapshot(dir);
  let caught: unknown;
  try {
    syncProtos({ from, out });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProtoSyncError);
  expect((caught as Error).message).toMatch(message);
  expect(snapshot(dir)).toEqual(before); // same files (no staging leftovers), same bytes
  return caught as ProtoSyncError;
}

describe("proto:sync from the tree the committed proto/ came from", () => {
  const source = committedSource();

  it.skipIf(source === undefined)("reproduces the committed proto/ byte for byte (same file set)", () => {
    const out = join(temp, "committed-source", "proto");
    const result = syncProtos({ from: source!, out });
    expect(readFileSync(join(committedProto, "PROVENANCE"), "utf8")).toContain(`etcd version: ${result.version}\n`);
    const synced = snapshot(out);
    const committed = snapshot(committedProto);
    expect([...synced.keys()]).toEqual([...committed.keys()]);
    for (const [file, bytes] of committed) expect(synced.get(file), file).toEqual(bytes);
  });

  it("names the Debian 3.4.23 tree while that is what is vendored", () => {
    const provenance = readFileSync(join(committedProto, "PROVENANCE"), "utf8");
    if (!provenance.includes("etcd version: 3.4.23\n")) return; // regenerated from another etcd
    expect(provenance).toContain(`source: ${debianEtcd}\n`);
  });
});

describe("proto:sync from Debian's etcd 3.4.23 tree", () => {
  it("replaces an earlier sync completely (no stale files, no staging dirs left)", () => {
    const { dir, out } = caseDir();
    syncProtos({ from: debianEtcd, out });
    expect(readdirSync(dir)).toEqual(["proto"]);
    expect([...snapshot(out).keys()]).toEqual([
      "PROVENANCE",
      "annotations.json",
      "authpb/",
      "authpb/auth.proto",
      "etcdserverpb/",
      "etcdserverpb/rpc.proto",
      "mvccpb/",
      "mvccpb/kv.proto",
      "v3electionpb/",
      "v3electionpb/v3election.proto",
      "v3lockpb/",
      "v3lockpb/v3lock.proto",
    ]);
  });

  it("syncs into an empty directory and into one that does not exist yet", () => {
    const empty = join(temp, "empty-target");
    mkdirSync(empty);
    expect(syncProtos({ from: debianEtcd, out: empty }).version).toBe("3.4.23");
    const fresh = join(temp, "new-parent", "proto");
    expect(syncProtos({ from: debianEtcd, out: fresh }).version).toBe("3.4.23");
    expect(readdirSync(fresh)).toContain("PROVENANCE");
  });
});

describe("proto:sync only replaces a directory it wrote itself", () => {
  /** Runs syncProtos and expects a ProtoSyncError matching `message`, with `dir` unchanged. */
  function expectRefused(options: Parameters<typeof syncProtos>[0], dir: string, message: RegExp): void {
    const before = snapshot(dir);
    expect(() => syncProtos(options)).toThrow(ProtoSyncError);
    expect(() => syncProtos(options)).toThrow(message);
    expect(snapshot(dir)).toEqual(before);
  }

  it("refuses a non-empty directory without proto:sync's PROVENANCE (was: replaced it wholesale)", () => {
    const dir = join(temp, "checkout");
    mkdirSync(join(dir, ".git"), { recursive: true });
    writeFileSync(join(dir, ".git", "HEAD"), "ref: refs/heads/main\n");
    writeFileSync(join(dir, "package.json"), "{}\n");
    expectRefused({ from: debianEtcd, out: dir }, dir, /is not empty and has no PROVENANCE written by proto:sync; refusing to replace it/);
  });

  it("refuses a directory whose PROVENANCE proto:sync did not write", () => {
    const dir = join(temp, "foreign-provenance");
    mkdirSync(dir);
    writeFileSync(join(dir, "PROVENANCE"), "hand-written notes\n");
    expectRefused({ from: debianEtcd, out: dir }, dir, /has no PROVENANCE written by proto:sync/);
  });

  it("refuses a file where the target directory should be", () => {
    const file = join(temp, "target-is-a-file");
    writeFileSync(file, "x");
    expect(() => syncProtos({ from: debianEtcd, out: file })).toThrow(/is not a directory/);
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("refuses a protected path and every ancestor of it (the repository root, passed by the CLI)", () => {
    // Both look like earlier syncs (proto:sync's PROVENANCE), so only the protection stops them.
    const wrapper = join(temp, "wrapper");
    const repo = join(wrapper, "repo");
    const proto = join(repo, "proto");
    mkdirSync(proto, { recursive: true });
    for (const dir of [wrapper, repo, proto]) writeFileSync(join(dir, "PROVENANCE"), earlierProvenance);
    const guarded = { from: debianEtcd, protectedPaths: [repo] };
    expectRefused({ ...guarded, out: repo }, wrapper, /contains .*repo; refusing to replace it/);
    expectRefused({ ...guarded, out: wrapper }, wrapper, /contains .*repo; refusing to replace it/);
    expect(syncProtos({ ...guarded, out: proto }).version).toBe("3.4.23"); // inside it is fine
  });

  it("refuses a target inside the --from tree or containing it", () => {
    const tree = copyDebian34Tree(join(temp, "source-tree"));
    expectRefused({ from: tree, out: join(tree, "proto") }, tree, /inside the --from tree/);
    const outer = join(temp, "outer");
    const inner = copyDebian34Tree(join(outer, "etcd"));
    writeFileSync(join(outer, "PROVENANCE"), earlierProvenance);
    expectRefused({ from: inner, out: outer }, outer, /contains the --from tree/);
    expectRefused({ from: tree, out: tree }, tree, /is the --from tree/);
  });
});

describe("proto:sync with a bad --from fails cleanly and leaves the target untouched", () => {
  it("a path that does not exist", () => {
    expectCleanFailure(join(temp, "no-such-dir"), /no-such-dir: not a directory/);
  });

  it("a file instead of a directory", () => {
    const file = join(temp, "a-file");
    writeFileSync(file, "");
    expectCleanFailure(file, /a-file: not a directory/);
  });

  it("a directory that is not etcd: the error names the marker files of every layout", () => {
    const notEtcd = join(temp, "not-etcd");
    mkdirSync(join(notEtcd, "api"), { recursive: true });
    writeFileSync(join(notEtcd, "README.md"), "hello\n");
    const error = expectCleanFailure(notEtcd, /not an etcd source tree/);
    expect(error.message).toContain("etcdserver/etcdserverpb/rpc.proto (etcd 3.4)");
    expect(error.message).toContain("api/etcdserverpb/rpc.proto (etcd 3.5+");
  });

  it("a copy of the 3.4 layout missing one proto: the error names the missing path", () => {
    const tree = copyDebian34Tree(join(temp, "missing-auth"), ["auth/authpb/auth.proto"]);
    const error = expectCleanFailure(tree, /etcd 3\.4\.23 \(etcd 3\.4\) is missing auth\/authpb\/auth\.proto;/);
    expect(error.message).not.toMatch(/kv\.proto|rpc\.proto|v3lock|v3election/);
  });

  it("names the actual target in the message, not proto/ (was always 'proto/ was left untouched')", () => {
    const tree = copyDebian34Tree(join(temp, "missing-kv"), ["mvcc/mvccpb/kv.proto"]);
    const { out } = caseDir();
    expect(() => syncProtos({ from: tree, out })).toThrow(`${out} was left untouched`);
  });

  it("a 3.4 tree without version/version.go", () => {
    const tree = copyDebian34Tree(join(temp, "no-version"), ["version/version.go"]);
    expectCleanFailure(tree, /missing version\/version\.go with a Version = "x\.y\.z" line/);
  });

  it("a directory where a proto should be (was an EISDIR crash, not a ProtoSyncError)", () => {
    const tree = copyDebian34Tree(join(temp, "dir-proto"), ["mvcc/mvccpb/kv.proto"]);
    mkdirSync(join(tree, "mvcc/mvccpb/kv.proto"), { recursive: true });
    expectCleanFailure(tree, /is missing mvcc\/mvccpb\/kv\.proto/);
  });

  it("a directory where the marker file should be", () => {
    const tree = join(temp, "dir-marker");
    mkdirSync(join(tree, "etcdserver/etcdserverpb/rpc.proto"), { recursive: true });
    expectCleanFailure(tree, /not an etcd source tree/);
  });

  it("a proto that does not parse: the error names the source file", () => {
    const tree = copyDebian34Tree(join(temp, "broken"));
    writeFileSync(join(tree, "auth/authpb/auth.proto"), readFileSync(join(tree, "auth/authpb/auth.proto"), "utf8") + "\noption (gogoproto.x) = {\n");
    expectCleanFailure(tree, /^auth\/authpb\/auth\.proto: unbalanced '\{'/);
  });

  it("the CLI exits 1 with a one-line message and no stack trace", () => {
    const { dir, out } = caseDir();
    const before = snapshot(dir);
    const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
    const bad = join(temp, "not-there");
    const run = spawnSync(tsx, ["scripts/proto-sync/cli.ts", "--from", bad, "--out", out], { cwd: repoRoot, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`proto:sync: --from ${bad}: not a directory\n`);
    expect(snapshot(dir)).toEqual(before);
  });

  it("the CLI reports an unknown option as a usage error, not a stack trace (was an uncaught TypeError)", () => {
    const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
    const run = spawnSync(tsx, ["scripts/proto-sync/cli.ts", "--form", debianEtcd], { cwd: repoRoot, encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("proto:sync: Unknown option '--form'\nusage: pnpm proto:sync --from <etcd source root> [--out <dir>]\n");
  });
});
