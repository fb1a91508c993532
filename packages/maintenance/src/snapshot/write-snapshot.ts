import { Code } from "@connectrpc/connect";
import type { SnapshotResponse } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { EtcdError } from "@etcdkit/transport";
import type { NodeModules } from "./node-modules.js";
import type { SnapshotSink } from "./snapshot-sink.js";
import type { SnapshotProgress, SnapshotResult } from "./snapshot-task.js";
import { createTrailerCheck } from "./trailer-check.js";

/**
 * Copies a Snapshot response stream into `sink`: reports progress after every message, hashes
 * what it writes (sha256), checks etcd's integrity trailer (unless `verify` is false), and
 * commits the sink only when all of that succeeded and `signal` was not aborted; otherwise it
 * abandons the sink and rethrows.
 *
 * Throws EtcdError "corrupt" (code DataLoss) when the trailer does not match (a truncated or
 * damaged stream), or whatever the stream, the sink or `report` threw.
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
  options: { readonly signal?: AbortSignal | undefined; readonly verify: boolean },
  report: (progress: SnapshotProgress) => void,
): Promise<Omit<SnapshotResult, "path">> {
  const digest = node.crypto.createHash("sha256");
  const trailer = createTrailerCheck(node.crypto);
  let bytes = 0;
  try {
    for await (const message of stream) {
      options.signal?.throwIfAborted();
      const blob = message.blob;
      await sink.write(blob);
      digest.update(blob);
      trailer.update(blob);
      bytes += blob.length;
      report({ bytes, totalBytes: bytes + Number(message.remainingBytes) });
    }
    options.signal?.throwIfAborted();
    if (options.verify && !trailer.matches()) {
      throw new EtcdError(
        `snapshot: the stream ended after ${bytes} bytes without a matching sha256 trailer (truncated or corrupted)`,
        "corrupt",
        Code.DataLoss,
      );
    }
    await sink.commit();
  } catch (error) {
    await sink.abandon();
    throw error;
  }
  return { bytes, sha256: digest.digest("hex") };
}
