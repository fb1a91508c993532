/**
 * Replaces a directory with a fully written staging directory, so that the target is never seen
 * half-written: the old target is moved aside, the staging directory is moved in, and the old one
 * is removed. If moving the staging directory in fails, the old target is moved back, so a failure
 * leaves the target exactly as it was. The staging directory must be a sibling of the target (same
 * file system, so both moves are renames).
 *
 * @example
 * const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.staging-`));
 * writeEverything(staging);
 * swapDirectory(staging, target);
 */
import { existsSync, renameSync, rmSync } from "node:fs";

/**
 * The file-system operation swapDirectory uses, replaceable so that tests can make a move fail.
 *
 * @example
 * swapDirectory(staging, target, { rename: (from, to) => renameSync(from, to) });
 */
export interface SwapIo {
  rename(from: string, to: string): void;
}

/**
 * Moves `staging` to `target`, replacing what was there (see the module comment). On failure the
 * staging directory is removed and the error is rethrown.
 *
 * @example
 * swapDirectory("/repo/.proto.staging-x1", "/repo/proto");
 */
export function swapDirectory(staging: string, target: string, io: SwapIo = { rename: renameSync }): void {
  const previous = existsSync(target) ? `${staging}.previous` : undefined;
  try {
    if (previous !== undefined) io.rename(target, previous);
    try {
      io.rename(staging, target);
    } catch (error) {
      if (previous !== undefined) io.rename(previous, target);
      throw error;
    }
    if (previous !== undefined) rmSync(previous, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
