import { create, isMessage, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { invalidArgumentError } from "../errors/client-errors.js";
import { encodeFrame } from "../grpc/grpc-framing.js";
import { errorText, messageTooLargeError } from "./call-errors.js";

/**
 * Encodes a request (a message or its init shape) into a gRPC frame, checking the size limit
 * before any I/O. `create()` is skipped when `input` already is a message of the schema.
 *
 * Throws EtcdError "message-too-large" (over `maxBytes`) or "invalid-argument" (the input does
 * not fit the schema).
 *
 * @example
 * ```ts
 * const frame = encodeRequest(RangeRequestSchema, { key: toBytes("foo") }, 2 * 1024 * 1024);
 * ```
 */
export function encodeRequest<I extends DescMessage>(schema: I, input: MessageInitShape<I>, maxBytes: number): Buffer {
  let bytes: Uint8Array;
  try {
    const message = isMessage(input, schema) ? input : create(schema, input);
    bytes = toBinary(schema, message);
  } catch (err) {
    throw invalidArgumentError(`cannot encode ${schema.typeName}: ${errorText(err)}`);
  }
  if (bytes.length > maxBytes) throw messageTooLargeError("request", bytes.length, maxBytes);
  return encodeFrame(bytes);
}
