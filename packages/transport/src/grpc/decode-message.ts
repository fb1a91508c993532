import { fromBinary, type BinaryReadOptions, type DescMessage, type MessageShape } from "@bufbuild/protobuf";

/**
 * How every response is decoded: without keeping unknown fields. protobuf-es keeps each unknown
 * field as an object of its own by default (about 150 bytes of heap for a 2-byte field), so a
 * server could make a 16 MiB response cost over a gigabyte and a 64 MiB one abort the process;
 * nothing in etcdkit re-serializes a response, so nothing needs them.
 *
 * @example
 * ```ts
 * fromBinary(RangeResponseSchema, bytes, RESPONSE_READ_OPTIONS);
 * ```
 */
export const RESPONSE_READ_OPTIONS: Readonly<Partial<BinaryReadOptions>> = Object.freeze({ readUnknownFields: false });

/**
 * Decodes one response message (protobuf binary) with RESPONSE_READ_OPTIONS: fields this SDK's
 * protos do not know (from a newer etcd, or a hostile server) are skipped, costing no memory.
 * What a decoded message costs is then bounded by its known fields: at most about 55 times the
 * body for the costliest content (empty sub-messages, e.g. a Range answer of 2-byte empty
 * KeyValues), about 10-20 times for real answers of small keys, which is why the transport's
 * receive limit (`maxReceiveMessageBytes`) bounds every response. Throws what `fromBinary`
 * throws for malformed input.
 *
 * @example
 * ```ts
 * const response = decodeMessage(RangeResponseSchema, body);
 * ```
 */
export function decodeMessage<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  return fromBinary(schema, bytes, RESPONSE_READ_OPTIONS);
}
