/**
 * Embeds file descriptors in gen/ as plain object literals instead of protoc-gen-es's
 * base64 `fileDesc("...")` form.
 *
 * Why: decoding the base64 form at run time needs `FileDescriptorProtoSchema`, which drags
 * google/protobuf/descriptor.proto (about 25 kB minified) into every bundle. Here the
 * descriptor is decoded once at generation time; at run time a small generated helper
 * (`gen/runtime/embedded-file.js`) rebuilds the FileDescriptorProto objects with their proto2
 * defaults and hands them to the public `createFileRegistry` of @bufbuild/protobuf.
 *
 * The embedded literal is checked to encode to exactly the bytes protoc-gen-es embeds, and the
 * rewrite throws (naming the file and the path) on anything it cannot carry over faithfully: an
 * option other than the few the runtime reads (deprecated, map_entry, packed, jstype,
 * idempotency_level; proto:sync strips etcd's custom options), unknown fields, 64-bit or bytes
 * values, or a `fileDesc(...)` call it does not recognize.
 *
 * @example
 * const js = rewriteGeneratedFile(readFileSync("rpc_pb.js", "utf8"), "etcdserverpb/rpc_pb.js");
 */
import { create, fromBinary, isFieldSet, toBinary, type DescMessage, type Message } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { FileDescriptorProtoSchema, file_google_protobuf_descriptor } from "@bufbuild/protobuf/wkt";

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

/** Per message type: proto2 defaults (prototype), repeated fields (own arrays), message-typed fields. */
export interface MessageShape {
  d: Record<string, unknown>;
  r: string[];
  m: Record<string, string>;
}

function shapeOf(desc: DescMessage): MessageShape {
  const zero = create(desc) as unknown as Record<string, unknown>;
  const shape: MessageShape = { d: {}, r: [], m: {} };
  for (const field of desc.fields) {
    if (field.fieldKind === "list") {
      shape.r.push(field.localName);
      if (field.listKind === "message") shape.m[field.localName] = short(field.message.typeName);
    } else if (field.fieldKind === "message") {
      shape.m[field.localName] = short(field.message.typeName);
    } else if (field.fieldKind === "scalar" || field.fieldKind === "enum") {
      shape.d[field.localName] = zero[field.localName];
    }
  }
  return shape;
}

const short = (typeName: string) => typeName.replace(/^google\.protobuf\./, "");

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

/** JS source of gen/runtime/embedded-file.js for the given descriptor types. */
export function emitRuntime(usedTypes: Iterable<string>): { js: string; dts: string } {
  const shapes: Record<string, MessageShape> = {};
  for (const typeName of [...usedTypes].sort()) {
    const desc = file_google_protobuf_descriptor.messages
      .flatMap(function all(m): DescMessage[] {
        return [m, ...m.nestedMessages.flatMap(all)];
      })
      .find((m) => m.typeName === typeName);
    if (!desc) throw new Error(`unknown descriptor type ${typeName}`);
    shapes[short(typeName)] = shapeOf(desc);
  }
  const header = "// Generated by scripts/generate.ts (scripts/generate/embedded-descriptors.ts). DO NOT EDIT.\n";
  const js = `${header}import { createFileRegistry } from "@bufbuild/protobuf";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";

/** Proto2 defaults, repeated fields and message-typed fields of the descriptor types used below. */
const shapes = ${JSON.stringify(shapes)};

function hydrate(type, plain) {
  const shape = shapes[type];
  const message = Object.create(shape.d);
  message.$typeName = "google.protobuf." + type;
  for (const name of shape.r) message[name] = [];
  for (const name in plain) {
    const value = plain[name];
    const child = shape.m[name];
    message[name] = child === undefined ? value : Array.isArray(value) ? value.map((v) => hydrate(child, v)) : hydrate(child, value);
  }
  return message;
}

function restoreJsonNames(message) {
  for (const field of message.field) {
    if (!Object.prototype.hasOwnProperty.call(field, "jsonName")) {
      field.jsonName = protoCamelCase(field.name);
    }
  }
  message.nestedType.forEach(restoreJsonNames);
}

/**
 * Hydrates a file descriptor embedded as a plain object (instead of base64), so that
 * bundles do not need google/protobuf/descriptor.proto at run time.
 */
export function embeddedFile(plain, imports = []) {
  const root = hydrate("FileDescriptorProto", plain);
  root.messageType.forEach(restoreJsonNames);
  root.dependency = imports.map((f) => f.proto.name);
  const registry = createFileRegistry(root, (name) => imports.find((f) => f.proto.name === name));
  return registry.getFile(root.name);
}
`;
  const dts = `${header}import type { GenFile } from "@bufbuild/protobuf/codegenv2";

/**
 * Hydrates a file descriptor embedded as a plain object (instead of base64), so that
 * bundles do not need google/protobuf/descriptor.proto at run time.
 */
export declare function embeddedFile(plain: object, imports?: GenFile[]): GenFile;
`;
  return { js, dts };
}

const fileDescCall = /fileDesc\("([A-Za-z0-9+/=]+)"(, \[[^\]]*\])?\)/;

/**
 * Rewrites one generated `*_pb.js`: `fileDesc("<base64>", deps)` → `embeddedFile({...}, deps)`.
 * Returns the new source and the descriptor types it uses. A file that never mentions `fileDesc`
 * passes through; one whose `fileDesc` use is not exactly one call of the expected form throws.
 *
 * @example
 * const { source } = rewriteGeneratedFile(readFileSync(path, "utf8"), "etcdserverpb/rpc_pb.js");
 */
export function rewriteGeneratedFile(source: string, relativePath: string): { source: string; usedTypes: Set<string> } {
  if (!source.includes("fileDesc")) return { source, usedTypes: new Set() };
  const match = fileDescCall.exec(source);
  const calls = source.match(/\bfileDesc\(/g)?.length ?? 0;
  if (!match || calls !== 1) {
    throw new Error(`cannot rewrite ${relativePath}: expected one fileDesc("<base64>"[, [deps]]) call, found ${calls} other form(s)`);
  }
  let decoded: DecodedFile;
  try {
    decoded = decodeEmbeddedDescriptor(match[1]!);
  } catch (error) {
    throw new Error(`cannot rewrite ${relativePath}: ${(error as Error).message}`);
  }
  const { literal, usedTypes } = decoded;
  const depth = relativePath.split("/").length - 1;
  const runtimePath = `${depth === 0 ? "./" : "../".repeat(depth)}runtime/embedded-file.js`;
  let out = source.replace(fileDescCall, () => `embeddedFile(${literal}${match[2] ?? ""})`);
  out = out.replace(/import \{ ([^}]*) \} from "@bufbuild\/protobuf\/codegenv2";\n/, (_, names: string) => {
    const kept = names.split(", ").filter((n) => n !== "fileDesc");
    const codegen = kept.length > 0 ? `import { ${kept.join(", ")} } from "@bufbuild/protobuf/codegenv2";\n` : "";
    return `${codegen}import { embeddedFile } from "${runtimePath}";\n`;
  });
  if (out.includes("fileDesc")) throw new Error(`cannot rewrite ${relativePath}: fileDesc is still referenced after the rewrite`);
  return { source: out, usedTypes };
}
