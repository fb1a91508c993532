/**
 * Decodes protoc-gen-es's base64 file descriptors into plain object literals, at generation time.
 *
 * Why: decoding the base64 form at run time needs `FileDescriptorProtoSchema`, which drags
 * google/protobuf/descriptor.proto (about 25 kB minified) into every bundle. The plain literals
 * are cut into one per type by per-type-descriptors.ts and built at run time by
 * gen/runtime/descriptors.js (descriptor-runtime.ts).
 *
 * The literal is checked to encode to exactly the bytes protoc-gen-es embeds, and decoding
 * throws (naming the file and the path) on anything it cannot carry over faithfully: an option
 * other than the few the runtime reads (deprecated, map_entry, packed, jstype,
 * idempotency_level; proto:sync strips etcd's custom options), unknown fields, or 64-bit or
 * bytes values.
 *
 * @example
 * const { literal, usedTypes } = decodeEmbeddedDescriptor(base64FromProtocGenEs);
 */
import { create, fromBinary, isFieldSet, toBinary, type DescMessage, type Message } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/** Option fields the protobuf-es registry reads; any other option set in a descriptor is an error. */
const keptOptionFields = new Set(["deprecated", "mapEntry", "packed", "jstype", "idempotencyLevel"]);

type Plain = { [key: string]: unknown };

function isOptionsMessage(desc: DescMessage): boolean {
  return desc.typeName.endsWith("Options");
}

/**
 * Converts a descriptor message to a plain object holding only its explicitly set fields. Throws
 * on anything the plain form (JSON, hydrated by the runtime) could not carry over exactly.
 */
function toPlain(desc: DescMessage, message: Message, used: Set<string>, path: string): Plain {
  used.add(desc.typeName);
  const unknown = (message as { $unknown?: unknown[] }).$unknown;
  if (unknown !== undefined && unknown.length > 0) {
    throw new Error(`${path}: ${desc.typeName} has unknown fields (a custom option?); strip it in proto:sync`);
  }
  const out: Plain = {};
  for (const field of desc.fields) {
    if (!isFieldSet(message, field)) continue;
    const at = `${path}.${field.localName}`;
    if (isOptionsMessage(desc) && !keptOptionFields.has(field.localName)) {
      throw new Error(`${at} is set, but embedded descriptors keep only ${[...keptOptionFields].join(", ")}; strip it in proto:sync`);
    }
    const value = (message as unknown as Record<string, unknown>)[field.localName];
    if (field.fieldKind === "message") {
      out[field.localName] = toPlain(field.message, value as Message, used, at);
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      out[field.localName] = (value as Message[]).map((item, i) => toPlain(field.message, item, used, `${at}[${i}]`));
    } else if (isUnsupportedValue(value)) {
      throw new Error(`${at}: 64-bit and bytes values are not supported in embedded descriptors`);
    } else {
      out[field.localName] = value;
    }
  }
  return out;
}

function isUnsupportedValue(value: unknown): boolean {
  const one = (v: unknown) => typeof v === "bigint" || v instanceof Uint8Array;
  return one(value) || (Array.isArray(value) && value.some(one));
}

export interface DecodedFile {
  /** JS source of the plain FileDescriptorProto object literal. */
  literal: string;
  /** Descriptor message types (full names) the literal uses. */
  usedTypes: Set<string>;
}

/**
 * Decodes a base64 file descriptor into the plain literal embedded in gen/, and checks that the
 * literal encodes back to exactly the same bytes (throws otherwise).
 *
 * @example
 * const { literal, usedTypes } = decodeEmbeddedDescriptor(base64FromProtocGenEs);
 */
export function decodeEmbeddedDescriptor(base64: string): DecodedFile {
  const bytes = base64Decode(base64);
  const proto = fromBinary(FileDescriptorProtoSchema, bytes);
  const usedTypes = new Set<string>();
  const plain = toPlain(FileDescriptorProtoSchema, proto, usedTypes, proto.name || "(file)");
  const literal = JSON.stringify(plain);
  const again = toBinary(FileDescriptorProtoSchema, create(FileDescriptorProtoSchema, JSON.parse(literal) as object));
  if (!Buffer.from(again).equals(Buffer.from(bytes))) {
    throw new Error(`${proto.name}: the embedded descriptor does not encode back to protoc-gen-es's bytes`);
  }
  return { literal, usedTypes };
}
