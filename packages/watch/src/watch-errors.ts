import { Code, ConnectError } from "@connectrpc/connect";
import { EtcdError, type Revision } from "@etcdkit/transport";
import { toEtcdError } from "@etcdkit/transport/internal";

/** etcd's own message for a compacted revision (rpctypes.ErrCompacted). */
const COMPACTED_MESSAGE = "etcdserver: mvcc: required revision has been compacted";

/**
 * The error that ends a watch whose next revision was compacted: reason "compacted", code
 * OutOfRange, with the server's compaction revision. Restart from a fresh read (e.g.
 * `listThenWatch`) or from `compactRevision` if missing the history in between is acceptable.
 *
 * @example
 * ```ts
 * const error = compactedError(1200n, 1000n);
 * error.compactRevision; // 1200n
 * ```
 */
export function compactedError(compactRevision: Revision, wanted: Revision): EtcdError {
  return new EtcdError(
    `${COMPACTED_MESSAGE} (watch wanted revision ${wanted}, compacted up to ${compactRevision})`,
    "compacted",
    Code.OutOfRange,
    { compactRevision },
  );
}

/**
 * The error for a watch the server canceled, from the response's `cancel_reason`. etcd writes
 * gRPC errors there as Go prints them ("rpc error: code = PermissionDenied desc = etcdserver:
 * permission denied"); the code and message are taken apart and etcd's messages map to their
 * reasons (e.g. "permission-denied", "invalid-auth-token"). Anything else gets reason
 * "watch-canceled" with the server's text.
 *
 * @example
 * ```ts
 * serverCancelError("rpc error: code = PermissionDenied desc = etcdserver: permission denied").reason; // "permission-denied"
 * serverCancelError("mvcc: watcher range is empty").reason; // "watch-canceled"
 * ```
 */
export function serverCancelError(cancelReason: string): EtcdError {
  let message = cancelReason === "" ? "etcdserver: watch canceled" : cancelReason;
  let code: Code = Code.Unknown;
  const wrapped = /^rpc error: code = (\w+) desc = ([\s\S]*)$/.exec(message);
  if (wrapped !== null) {
    message = wrapped[2]!;
    code = grpcCodes[wrapped[1]!] ?? Code.Unknown;
  }
  const mapped = toEtcdError(new ConnectError(message, code));
  if (mapped.reason !== "unknown") return mapped;
  return new EtcdError(message, "watch-canceled", code === Code.Unknown ? Code.Canceled : code);
}

/** Go's gRPC code names (as in "rpc error: code = PermissionDenied"). */
const grpcCodes: Record<string, Code> = {
  Canceled: Code.Canceled,
  Unknown: Code.Unknown,
  InvalidArgument: Code.InvalidArgument,
  DeadlineExceeded: Code.DeadlineExceeded,
  NotFound: Code.NotFound,
  AlreadyExists: Code.AlreadyExists,
  PermissionDenied: Code.PermissionDenied,
  ResourceExhausted: Code.ResourceExhausted,
  FailedPrecondition: Code.FailedPrecondition,
  Aborted: Code.Aborted,
  OutOfRange: Code.OutOfRange,
  Unimplemented: Code.Unimplemented,
  Internal: Code.Internal,
  Unavailable: Code.Unavailable,
  DataLoss: Code.DataLoss,
  Unauthenticated: Code.Unauthenticated,
};

/**
 * Why `Watch.ready` rejects for a watch that was canceled (by `return()`, `cancel()`, its signal
 * or `watcher.close()`) before the server registered it: reason "canceled".
 *
 * @example
 * ```ts
 * watch.cancel();
 * await watch.ready.catch((e) => e.reason); // "canceled"
 * ```
 */
export function canceledByConsumer(): EtcdError {
  return new EtcdError("the watch was canceled before etcd registered it", "canceled", Code.Canceled);
}

/**
 * The error that ends a watch whose consumer fell behind its queue bound: reason "slow-consumer",
 * with `resumeRevision`, the first revision the consumer has not received (it gets everything
 * queued before this error). Start a new watch there to miss nothing.
 *
 * @example
 * ```ts
 * const error = slowConsumerError(1200n, { events: 10_000, bytes: 64 * 1024 * 1024 });
 * watcher.watch(key, { startRevision: error.resumeRevision });
 * ```
 */
export function slowConsumerError(resumeRevision: Revision, limits: { readonly events: number; readonly bytes: number }): EtcdError {
  return new EtcdError(
    `watch: the consumer fell behind (more than ${limits.events} events or ${limits.bytes} bytes queued); resume from revision ${resumeRevision}`,
    "slow-consumer",
    undefined,
    { resumeRevision },
  );
}
