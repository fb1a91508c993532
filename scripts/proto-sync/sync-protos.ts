/**
 * Copies etcd's API protos out of an etcd source tree into `proto/`, normalized, with
 * `annotations.json` (extracted HTTP routes and since-versions) and a PROVENANCE file.
 *
 * All output is built in a temporary sibling directory first and swapped in at the end,
 * so a failed sync (missing files, not an etcd tree, a parse error) leaves `out` untouched.
 *
 * @example
 * await syncProtos({ from: "/usr/share/gocode/src/go.etcd.io/etcd", out: "proto" });
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { swapDirectory } from "../lib/swap-directory.js";
import { detectLayout, etcdSourceLayouts, isFile, rewriteEtcdImport } from "./etcd-source-layouts.js";
import { parseEtcdVersion } from "./etcd-version.js";
import { normalizeProto, type ProtoAnnotations } from "./normalize-proto.js";
import { ProtoSyncError } from "./sync-error.js";
import { checkSyncTarget, PROVENANCE_HEADER } from "./sync-target.js";

export { ProtoSyncError };

export interface SyncOptions {
  /** Root of an etcd source tree (a git checkout, or Debian's /usr/share/gocode/src/go.etcd.io/etcd). */
  from: string;
  /**
   * Target directory, normally `<repo>/proto`. It is replaced wholesale, so it must not exist,
   * be empty, or hold a PROVENANCE written by an earlier sync (see sync-target.ts).
   */
  out: string;
  /** Paths the target must neither be nor contain (the CLI passes the repository root). */
  protectedPaths?: readonly string[];
}

export interface SyncResult {
  version: string;
  layout: string;
  files: string[];
}

const debianCopyright = "/usr/share/doc/golang-etcd-server-dev/copyright";

export function syncProtos({ from, out, protectedPaths }: SyncOptions): SyncResult {
  const root = resolve(from);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ProtoSyncError(`--from ${from}: not a directory`);
  }
  checkSyncTarget(out, root, protectedPaths);
  const layout = detectLayout(root);
  if (!layout) {
    const expected = etcdSourceLayouts.map((l) => `${l.marker} (${l.name})`).join(" or ");
    throw new ProtoSyncError(`--from ${from}: not an etcd source tree; expected ${expected}`);
  }
  const versionPath = join(root, layout.versionFile);
  const version = isFile(versionPath) ? parseEtcdVersion(readSource(versionPath)) : undefined;
  if (!version) {
    throw new ProtoSyncError(`--from ${from}: missing ${layout.versionFile} with a Version = "x.y.z" line (${layout.name})`);
  }
  const wanted = layout.protos;
  const missing = wanted.filter((p) => !isFile(join(root, p.source))).map((p) => p.source);
  if (missing.length > 0) {
    throw new ProtoSyncError(
      `--from ${from}: etcd ${version.text} (${layout.name}) is missing ${missing.join(", ")}; ${out} was left untouched`,
    );
  }

  const annotations: ProtoAnnotations = { httpRoutes: {}, sinceVersions: {} };
  const outputs = new Map<string, string>();
  const provenanceLines: string[] = [];
  for (const proto of wanted) {
    const source = readSource(join(root, proto.source));
    let normalized;
    try {
      normalized = normalizeProto(source, { rewriteImport: rewriteEtcdImport });
    } catch (error) {
      throw new ProtoSyncError(`${proto.source}: ${(error as Error).message}`);
    }
    outputs.set(proto.target, normalized.text);
    Object.assign(annotations.httpRoutes, normalized.annotations.httpRoutes);
    Object.assign(annotations.sinceVersions, normalized.annotations.sinceVersions);
    provenanceLines.push(`  ${proto.target} <- ${proto.source} (sha256 ${sha256(source)})`);
  }
  outputs.set("annotations.json", JSON.stringify(sorted(annotations), null, 2) + "\n");
  outputs.set("PROVENANCE", provenance(root, layout.name, version.text, provenanceLines));

  const target = resolve(out);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.staging-`));
  try {
    for (const [file, content] of outputs) {
      mkdirSync(dirname(join(staging, file)), { recursive: true });
      writeFileSync(join(staging, file), content);
    }
  } catch (error) {
    swapAborted(staging);
    throw error;
  }
  swapDirectory(staging, target); // the old target comes back if the swap fails
  return { version: version.text, layout: layout.name, files: [...outputs.keys()] };
}

/** Removes a staging directory that will not be swapped in. */
function swapAborted(staging: string): void {
  rmSync(staging, { recursive: true, force: true });
}

/** Reads a source file; an unreadable one is a clean ProtoSyncError (no stack trace from the CLI). */
function readSource(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ProtoSyncError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function sorted(a: ProtoAnnotations): ProtoAnnotations {
  const sortRecord = <T>(r: Record<string, T>) => Object.fromEntries(Object.entries(r).sort(([x], [y]) => (x < y ? -1 : 1)));
  return { httpRoutes: sortRecord(a.httpRoutes), sinceVersions: sortRecord(a.sinceVersions) };
}

function provenance(root: string, layoutName: string, version: string, files: string[]): string {
  const license = existsSync(join(root, "LICENSE"))
    ? "Apache-2.0 (LICENSE in the source tree)"
    : existsSync(debianCopyright) && root.startsWith("/usr/share/gocode/")
      ? `Apache-2.0 (Copyright The etcd Authors; notice in ${debianCopyright})`
      : "Apache-2.0 (Copyright The etcd Authors; the source tree has no LICENSE file)";
  return [
    PROVENANCE_HEADER,
    "",
    `etcd version: ${version}`,
    `source: ${root}`,
    `layout: ${layoutName}`,
    `license: ${license}`,
    "normalized by: pnpm proto:sync (scripts/proto-sync)",
    "  - gogoproto, google.api.http, openapiv2 and versionpb options stripped, with their imports",
    "  - etcd imports rewritten to this flat layout",
    "  - HTTP routes and since-versions extracted to annotations.json",
    "files:",
    ...files,
    "",
  ].join("\n");
}
