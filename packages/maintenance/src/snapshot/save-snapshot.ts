import type { Writable } from "node:stream";
import type { Transport } from "@connectrpc/connect";
import { Maintenance as MaintenanceService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { connectCallOptions, MAX_TIMER_MS, monotonicNow } from "@etcdkit/transport";
import { createRpcClient, isStaleTokenError } from "@etcdkit/transport/internal";
import type { SnapshotOptions } from "../maintenance.js";
import type { NodeModules } from "./node-modules.js";
import { createStreamSink, openFileSink } from "./snapshot-sink.js";
import type { SnapshotProgress, SnapshotResult } from "./snapshot-task.js";
import { writeSnapshot } from "./write-snapshot.js";

/**
 * Streams one member's backend into `target` (a file path or a Writable) through `member`, a
 * transport bound to that member.
 *
 * The transport's auth token is shared with every other call and may have expired while the
 * transport sat idle; etcd then rejects the stream before sending anything, and the transport
 * drops the token. In that case (and only then: nothing received yet, a stale-token error) the
 * stream is opened once more, which authenticates afresh, within what is left of `timeoutMs`.
 * A file target gets a new temp file for it; a stream target received nothing yet.
 *
 * @example
 * ```ts
 * const { bytes, sha256 } = await saveSnapshot(node, transport.forEndpoint(endpoint), "/backups/etcd.db", options, report);
 * ```
 */
export async function saveSnapshot(
  node: NodeModules,
  member: Transport,
  target: string | Writable,
  options: SnapshotOptions,
  report: (progress: SnapshotProgress) => void,
): Promise<SnapshotResult> {
  const { signal, timeoutMs } = options;
  // One deadline for both attempts (none when timeoutMs is absent or beyond a timer's range).
  const deadline = timeoutMs === undefined || timeoutMs > MAX_TIMER_MS ? Infinity : monotonicNow() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline === Infinity ? timeoutMs : Math.max(0, deadline - monotonicNow());
    let received = false;
    const callOptions = connectCallOptions({ signal, timeoutMs: remaining }); // may fail: no time left
    const sink =
      typeof target === "string" ? await openFileSink(node, target) : createStreamSink(node, target, options.end !== false, signal);
    const stream = createRpcClient(MaintenanceService, member).snapshot({}, callOptions);
    try {
      const progress = (p: SnapshotProgress): void => {
        received = true;
        report(p);
      };
      const written = await writeSnapshot(node, stream, sink, { signal, verify: options.verify !== false, maxBytes: options.maxBytes }, progress);
      return typeof target === "string" ? { ...written, path: node.path.resolve(target) } : written;
    } catch (error) {
      const timeLeft = deadline - monotonicNow() > 0;
      if (attempt === 1 && !received && isStaleTokenError(error) && timeLeft && signal?.aborted !== true) continue;
      throw error;
    }
  }
}
