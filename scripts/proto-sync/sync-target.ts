/**
 * Which directories `pnpm proto:sync` may replace. It replaces its `--out` wholesale, so it only
 * does so when the target is provably its own: a directory that does not exist yet, an empty one,
 * or one holding a PROVENANCE that proto:sync wrote. It never touches a protected path (the
 * repository root, passed by the CLI) or any directory containing one, and never a target inside
 * the `--from` tree or containing it (that would destroy the source).
 *
 * @example
 * checkSyncTarget("/repo/proto", "/tmp/etcd", ["/repo"]); // ok: an earlier sync
 * checkSyncTarget("/repo", "/tmp/etcd", ["/repo"]);       // throws ProtoSyncError
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, isAbsolute } from "node:path";
import { ProtoSyncError } from "./sync-error.js";

/**
 * The first line of every PROVENANCE proto:sync writes, and the line naming it; a target
 * holding both was written by proto:sync.
 *
 * @example
 * PROVENANCE_HEADER; // "etcd API protos, vendored for etcdkit code generation."
 */
export const PROVENANCE_HEADER = "etcd API protos, vendored for etcdkit code generation.";
const PROVENANCE_MARK = "normalized by: pnpm proto:sync";

/**
 * Throws a ProtoSyncError (before anything is written) unless `out` may be replaced by a sync
 * from `from`; see the module comment for the rules.
 *
 * @example
 * checkSyncTarget(resolve(out), resolve(from), [repoRoot]);
 */
export function checkSyncTarget(out: string, from: string, protectedPaths: readonly string[] = []): void {
  const target = canonical(out);
  const source = canonical(from);
  for (const path of protectedPaths.map(canonical)) {
    if (isWithin(path, target)) throw new ProtoSyncError(`--out ${out} contains ${path}; refusing to replace it`);
  }
  if (target === source) throw new ProtoSyncError(`--out ${out} is the --from tree; refusing to replace it`);
  if (isWithin(target, source)) throw new ProtoSyncError(`--out ${out} is inside the --from tree ${from}; refusing to replace it`);
  if (isWithin(source, target)) throw new ProtoSyncError(`--out ${out} contains the --from tree ${from}; refusing to replace it`);

  const stat = statSync(target, { throwIfNoEntry: false });
  if (stat === undefined) return;
  if (!stat.isDirectory()) throw new ProtoSyncError(`--out ${out} is not a directory; refusing to replace it`);
  if (readdirSync(target).length === 0) return;
  if (!writtenByProtoSync(join(target, "PROVENANCE"))) {
    throw new ProtoSyncError(`--out ${out} is not empty and has no PROVENANCE written by proto:sync; refusing to replace it`);
  }
}

function writtenByProtoSync(provenance: string): boolean {
  let text: string;
  try {
    text = readFileSync(provenance, "utf8");
  } catch {
    return false;
  }
  return text.startsWith(`${PROVENANCE_HEADER}\n`) && text.includes(`\n${PROVENANCE_MARK}`);
}

/** True when `inner` is `outer` or lies below it. */
function isWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * The absolute path with symlinks resolved, also for a path that does not exist yet (its nearest
 * existing ancestor is resolved), so that a symlink cannot hide that two paths are the same.
 */
function canonical(path: string): string {
  const absolute = resolve(path);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return absolute;
      rest.push(basename(existing));
      existing = parent;
    }
  }
}
