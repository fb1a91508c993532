/**
 * The error of a sync that was refused or failed: the CLI prints its message without a stack
 * trace, and nothing was written.
 *
 * @example
 * throw new ProtoSyncError(`--from ${from}: not a directory`);
 */
export class ProtoSyncError extends Error {
  override name = "ProtoSyncError";
}
