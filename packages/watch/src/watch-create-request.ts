import { create, toBinary } from "@bufbuild/protobuf";
import { WatchCreateRequest_FilterType, WatchRequestSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { EtcdError, transportDefaults, type EtcdError as EtcdErrorType, type Revision } from "@etcdkit/transport";
import { WatchFlag, wireRange, type WatchSpec } from "./watch-options.js";
import type { WatchRequestInit } from "./watch-session.js";

/**
 * What a create request is built from: a watch's range and option bits.
 *
 * @example
 * ```ts
 * const source: CreateSource = resolveWatchSpec("k", { prefix: true });
 * ```
 */
export type CreateSource = Pick<WatchSpec, "key" | "rangeKind" | "end" | "flags">;

/**
 * The create request of a watch: its range, options, the revision to start from and the watch ID
 * etcdkit chose for it on the stream.
 *
 * @example
 * ```ts
 * session.requests.push(createRequest(sub, sub.nextRevision, 7));
 * ```
 */
export function createRequest(source: CreateSource, startRevision: Revision, id: number): WatchRequestInit {
  const { key, rangeEnd } = wireRange(source);
  const flags = source.flags;
  let filters: WatchCreateRequest_FilterType[] | undefined;
  if ((flags & (WatchFlag.NoPut | WatchFlag.NoDelete)) !== 0) {
    filters = [];
    if ((flags & WatchFlag.NoPut) !== 0) filters.push(WatchCreateRequest_FilterType.NOPUT);
    if ((flags & WatchFlag.NoDelete) !== 0) filters.push(WatchCreateRequest_FilterType.NODELETE);
  }
  return {
    requestUnion: {
      case: "createRequest",
      value: {
        key,
        rangeEnd,
        startRevision,
        watchId: BigInt(id),
        prevKv: (flags & WatchFlag.PrevKv) !== 0,
        // Always asked for: etcd's per-watch progress notifications come in order with the
        // events and only for synced watchers, so they move the resume revision of a quiet watch
        // (a reconnect after a compaction then only fails a watch that really missed events).
        // Consumers see them only with the progressNotify option.
        progressNotify: true,
        fragment: (flags & WatchFlag.Fragment) !== 0,
        filters,
      },
    },
  };
}

/** Every field of a create request but the key and range end fits in this many bytes (tags, lengths, varints). */
const FIXED_BYTES = 64;
/** A watch ID as large as a stream ever uses, for a size that does not depend on the actual ID. */
const SIZING_ID = 2 ** 31;

/**
 * The encoded size of a watch's create request (protobuf bytes, without gRPC framing), for the
 * largest watch ID a stream uses. Cheap for ordinary keys: it only encodes when the key and range
 * end are large enough to matter.
 *
 * @example
 * ```ts
 * createRequestSize(sub, sub.nextRevision, 1024); // undefined: certainly under 1024 bytes
 * ```
 */
export function createRequestSize(source: CreateSource, startRevision: Revision, below: number): number | undefined {
  const upper = utf8Upper(source.key) * 2 + (source.end === undefined ? 0 : utf8Upper(source.end)) + FIXED_BYTES;
  if (upper <= below) return undefined;
  return toBinary(WatchRequestSchema, create(WatchRequestSchema, createRequest(source, startRevision, SIZING_ID))).length;
}

/** An upper bound of the UTF-8 length of a key (3 bytes per UTF-16 unit). */
function utf8Upper(value: string | Uint8Array): number {
  return typeof value === "string" ? value.length * 3 : value.length;
}

/**
 * Throws EtcdError "message-too-large" (before any I/O) when the create request of a new watch is
 * larger than the transport's default send limit (2 MiB, as Go's client). Sent anyway, it would
 * fail the shared stream (the transport refuses to encode it, or etcd's gRPC server ends the stream).
 *
 * @example
 * ```ts
 * checkCreateSize(resolveWatchSpec(hugeKey, {})); // throws "message-too-large"
 * ```
 */
export function checkCreateSize(spec: WatchSpec): void {
  const limit = transportDefaults.maxSendMessageBytes;
  const size = createRequestSize(spec, spec.startRevision, limit);
  if (size !== undefined && size > limit) {
    throw new EtcdError(
      `watch: the create request of ${size} bytes is larger than ${limit} bytes, the default send limit (maxSendMessageBytes); watch a shorter key`,
      "message-too-large",
    );
  }
}

/** etcdkit's transport, etcd's gRPC server and connect-es, about a request that was too large. */
const requestLimitPatterns = [
  /larger than maxSendMessageBytes \((\d+) bytes\)/,
  /received message larger than max \(\d+ vs\. (\d+)\)/,
  /larger than configured writeMaxBytes (\d+)/,
];

/**
 * The size limit a stream error reports for a request that was too large to send or to receive on
 * the server's side (a create, the only large request on a watch stream), or undefined when the
 * error is about something else (e.g. a response over the client's receive limit).
 *
 * @example
 * ```ts
 * requestSizeLimit(streamError); // 525312 for "grpc: received message larger than max (600037 vs. 525312)"
 * ```
 */
export function requestSizeLimit(error: EtcdErrorType): number | undefined {
  if (error.reason !== "message-too-large") return undefined;
  for (const pattern of requestLimitPatterns) {
    const match = pattern.exec(error.rawMessage);
    if (match !== null) return Number(match[1]);
  }
  return undefined;
}

/**
 * The error that ends a watch whose create request was over a limit on the way (the stream is
 * re-opened for the other watches).
 *
 * @example
 * ```ts
 * sub.fail(createTooLargeError(600_037, 525_312, streamError));
 * ```
 */
export function createTooLargeError(size: number | undefined, limit: number, cause: EtcdErrorType): EtcdErrorType {
  const what = size === undefined ? "the create request" : `the create request of ${size} bytes`;
  return new EtcdError(`watch: ${what} is larger than a limit of ${limit} bytes (${cause.rawMessage}); watch a shorter key`, "message-too-large", undefined, {
    cause,
  });
}
