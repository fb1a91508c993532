/**
 * File-tree helpers for gen/: which files are generated, how two trees differ, and how
 * to swap in a fresh generation without touching the package's own files.
 *
 * @example
 * diffTrees("/tmp/staging", "gen"); // ["changed: etcdserverpb/rpc_pb.js"]
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";

/** Generated files are .js and .d.ts; package.json, README and tests in gen/ are hand-written. */
export function isGeneratedFile(path: string): boolean {
  return (path.endsWith(".js") || path.endsWith(".d.ts")) && !path.includes(".test.") && !path.includes("node_modules");
}

export function listGeneratedFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(path);
      } else if (isGeneratedFile(path)) out.push(relative(root, path));
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

export function replaceGeneratedFiles(fresh: string, target: string): void {
  for (const file of listGeneratedFiles(target)) rmSync(join(target, file));
  for (const file of listGeneratedFiles(fresh)) cpSync(join(fresh, file), join(target, file));
}
