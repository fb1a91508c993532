/**
 * File-tree helpers for gen/: which files are generated, how two trees differ, and how
 * to swap in a fresh generation without touching the package's own files.
 *
 * @example
 * diffTrees("/tmp/staging", "gen"); // ["changed: etcdserverpb/rpc_pb.js"]
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";

/**
 * Generated files are .js and .d.ts; package.json, README and tests in gen/ are hand-written.
 * `path` is relative to the tree's root: where the tree lives (a temp dir, a checkout under
 * some `node_modules/`) must not change what counts as generated.
 */
export function isGeneratedFile(path: string): boolean {
  const segments = path.split(/[\\/]/);
  const name = segments.at(-1) ?? "";
  return (name.endsWith(".js") || name.endsWith(".d.ts")) && !name.includes(".test.") && !segments.includes("node_modules");
}

export function listGeneratedFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(path);
      } else if (isGeneratedFile(relative(root, path))) out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

export function diffTrees(fresh: string, current: string): string[] {
  const a = new Set(listGeneratedFiles(fresh));
  const b = new Set(listGeneratedFiles(current));
  const out: string[] = [];
  for (const file of a) {
    if (!b.has(file)) out.push(`missing: ${file}`);
    else if (!readFileSync(join(fresh, file)).equals(readFileSync(join(current, file)))) out.push(`changed: ${file}`);
  }
  for (const file of b) if (!a.has(file)) out.push(`extra: ${file}`);
  return out;
}

/**
 * The file copy replaceGeneratedFiles uses, replaceable so that tests can make it fail.
 *
 * @example
 * replaceGeneratedFiles(fresh, "gen", { copy: (from, to) => cpSync(from, to) });
 */
export interface ReplaceIo {
  copy(from: string, to: string): void;
}

/**
 * Makes the generated files of `target` those of `fresh`. Directories left empty by files that
 * are no longer generated (say `versionpb/` after a sync from another etcd) are removed too.
 * All or nothing: the current generated files are backed up first, and if anything fails they are
 * put back (and the new ones removed), so a failure leaves `target` exactly as it was.
 */
export function replaceGeneratedFiles(fresh: string, target: string, io: ReplaceIo = { copy: cpSync }): void {
  const current = listGeneratedFiles(target);
  const backup = mkdtempSync(join(tmpdir(), "etcdkit-gen-backup-"));
  try {
    for (const file of current) cpSync(join(target, file), join(backup, file));
    try {
      swapFiles(current, fresh, target, io.copy);
    } catch (error) {
      swapFiles(listGeneratedFiles(target), backup, target, cpSync);
      throw error;
    }
  } finally {
    rmSync(backup, { recursive: true, force: true });
  }
}

/** Removes the generated files `old` of `target`, copies in those of `from`, and prunes emptied dirs. */
function swapFiles(old: readonly string[], from: string, target: string, copy: (from: string, to: string) => void): void {
  for (const file of old) rmSync(join(target, file), { force: true });
  for (const file of listGeneratedFiles(from)) copy(join(from, file), join(target, file));
  for (const file of old) removeEmptyParents(target, dirname(join(target, file)));
}

function removeEmptyParents(root: string, dir: string): void {
  const base = resolve(root);
  dir = resolve(dir);
  while (dir.startsWith(base + sep) && existsSync(dir) && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    dir = dirname(dir);
  }
}
