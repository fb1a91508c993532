import { Code } from "@connectrpc/connect";
import type { SnapshotResponse } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { EtcdError } from "@etcdkit/transport";
import type { NodeModules } from "./node-modules.js";
import type { SnapshotSink } from "./snapshot-sink.js";
import type { SnapshotProgress, SnapshotResult } from "./snapshot-task.js";
import { createTrailerCheck, TRAILER_BYTES } from "./trailer-check.js";

/**
 * Copies a Snapshot response stream into `sink`: reports progress after every message, hashes
 * what it writes (sha256), checks etcd's integrity trailer (unless `verify` is false), and
 * commits the sink only when all of that succeeded and `signal` was not aborted; otherwise it
 * abandons the sink and rethrows.
 *
 * The size the first message announces (`bytes + remaining_bytes`: etcd's database size) bounds
 * the stream: a message that would take it past that size plus the 32-byte trailer, or an
 * announced size beyond 2^53, is refused before it is written. With `maxBytes`, an announced
 * size (plus the trailer) above it fails at once, before anything is written.
 *
 * Throws EtcdError "corrupt" (code DataLoss) when the trailer does not match (a truncated or
 * damaged stream) or the stream contradicts its announced size, "message-too-large" (code
 * ResourceExhausted) above `maxBytes`, or whatever the stream, the sink or `report` threw.
 *
 * @example
 * ```ts
 * const result = await writeSnapshot(node, client.snapshot({}, { signal }), sink, { signal, verify: true }, report);
 * ```
 */
export async function writeSnapshot(
  node: NodeModules,
  stream: AsyncIterable<SnapshotResponse>,
  sink: SnapshotSink,
  options: { readonly signal?: AbortSignal | undefined; readonly verify: boolean; readonly maxBytes?: number | undefined },
  report: (progress: SnapshotProgress) => void,
): Promise<Omit<SnapshotResult, "path">> {
  const digest = node.crypto.createHash("sha256");
  const trailer = createTrailerCheck(node.crypto);
  let bytes = 0;
  /** The size the first message announced, without the trailer. */
  let announced: number | undefined;
  try {
    for await (const message of stream) {
      options.signal?.throwIfAborted();
      const blob = message.blob;
      const received = bytes + blob.length;
      const totalBytes = checkedTotal(received, message.remainingBytes);
      announced ??= totalBytes;
      if (options.maxBytes !== undefined && announced + TRAILER_BYTES > options.maxBytes) {
        throw new EtcdError(
          `snapshot: the member announced ${announced + TRAILER_BYTES} bytes (with the ${TRAILER_BYTES}-byte trailer), more than maxBytes ${options.maxBytes}`,
          "message-too-large",
          Code.ResourceExhausted,
        );
      }
      if (received > announced + TRAILER_BYTES) {
        throw corrupt(`the member sent ${received} bytes, more than the ${announced} bytes it announced plus the ${TRAILER_BYTES}-byte trailer`);
      }
      await sink.write(blob);
      digest.update(blob);
      trailer.update(blob);
      bytes = received;
      report({ bytes, totalBytes });
    }
    options.signal?.throwIfAborted();
    if (options.verify && !trailer.matches()) {
      throw corrupt(`the stream ended after ${bytes} bytes without a matching sha256 trailer (truncated or corrupted)`);
    }
    await sink.commit();
  } catch (error) {
    await sink.abandon();
    throw error;
  }
  return { bytes, sha256: digest.digest("hex") };
}

/** `received + remaining`, the size a message announces; "corrupt" when it is not a safe integer. */
function checkedTotal(received: number, remaining: bigint): number {
  if (remaining > BigInt(Number.MAX_SAFE_INTEGER - received)) {
    throw corrupt(`the member announced ${BigInt(received) + remaining} bytes, not a possible snapshot size`);
  }
  return received + Number(remaining);
}

function corrupt(message: string): EtcdError {
  return new EtcdError(`snapshot: ${message}`, "corrupt", Code.DataLoss);
}
