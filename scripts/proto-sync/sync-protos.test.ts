import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { copyDebian34Tree, debianEtcd } from "./fixtures/etcd-trees.js";
import { ProtoSyncError, syncProtos } from "./sync-protos.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const committedProto = join(repoRoot, "proto");
const temp = mkdtempSync(join(tmpdir(), "etcdkit-proto-sync-"));
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

let cases = 0;
/** A fresh case dir holding a target `proto/` with a sentinel file, as a previous sync would leave it. */
function caseDir(): { dir: string; out: string } {
  const dir = join(temp, `case-${cases++}`);
  const out = join(dir, "proto");
  mkdirSync(join(out, "etcdserverpb"), { recursive: true });
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

describe("proto:sync from Debian's etcd 3.4.23 tree", () => {
  it("reproduces the committed proto/ byte for byte (same file set)", () => {
    const out = join(temp, "debian", "proto");
    const result = syncProtos({ from: debianEtcd, out });
    expect(result).toMatchObject({ version: "3.4.23", layout: "etcd 3.4" });
    const synced = snapshot(out);
    const committed = snapshot(committedProto);
    expect([...synced.keys()]).toEqual([...committed.keys()]);
    for (const [file, bytes] of committed) expect(synced.get(file), file).toEqual(bytes);
  });

  it("replaces an earlier sync completely (no stale files, no staging dirs left)", () => {
    const { dir, out } = caseDir();
    syncProtos({ from: debianEtcd, out });
    expect(readdirSync(dir)).toEqual(["proto"]);
    expect([...snapshot(out).keys()]).toEqual([...snapshot(committedProto).keys()]);
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
