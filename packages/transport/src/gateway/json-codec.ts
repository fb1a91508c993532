import { base64Encode } from "../base64.js";
import { create, ScalarType, type DescField, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { invalidArgumentError } from "../errors/client-errors.js";

/**
 * Protobuf's JSON mapping (proto3) for etcd's messages, driven by the protobuf-es descriptors in
 * `@etcdkit/api`: what etcd's gRPC gateway sends and accepts.
 *
 * - keys are the proto field names (`create_revision`, `ID`), as etcd's gateway answers; both
 *   proto names and JSON names (`createRevision`) are read;
 * - 64-bit integers are decimal strings (numbers are read too), bytes are standard base64 (the
 *   URL-safe alphabet is read too), enums are value names (numbers are read too);
 * - default values are omitted when writing and absent fields read as defaults (etcd omits
 *   `succeeded: false`, event type PUT, `count: 0`), `null` reads as the default;
 * - unknown fields are ignored when reading (a newer etcd may add some).
 *
 * It is the mapping of protobuf-es's `toJson(schema, message, { useProtoFieldName: true })` and
 * `fromJson(schema, json, { ignoreUnknownFields: true })`, checked against them for every etcd
 * message (json-codec.test.ts); those functions themselves would pull google/protobuf/descriptor.proto
 * and the binary codec into every gateway bundle (about 25 KB gz), which is why this small walker
 * over the same descriptors exists. Maps and well-known types do not occur in etcd's protos and are
 * not supported.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(toGatewayJson(RangeRequestSchema, { key: toBytes("foo"), limit: 10n }));
 * // {"key":"Zm9v","limit":"10"}
 * const response = fromGatewayJson(RangeResponseSchema, JSON.parse(text)); // a RangeResponse message
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A JSON object as the gateway sends and takes it: what `toGatewayJson` returns.
 *
 * @example
 * ```ts
 * const body: JsonObject = toGatewayJson(RangeRequestSchema, { key: toBytes("foo") }); // { key: "Zm9v" }
 * ```
 */
export type JsonObject = { [key: string]: JsonValue };
type AnyMessage = Record<string, unknown>;

const LONG = new Set<ScalarType>([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64, ScalarType.SFIXED64]);

/**
 * A message (or its init shape) as the JSON object etcd's gateway takes. Throws EtcdError
 * "invalid-argument" when a value does not fit its field.
 *
 * @example
 * ```ts
 * toGatewayJson(LeaseGrantRequestSchema, { TTL: 5n }); // { TTL: "5" }
 * ```
 */
export function toGatewayJson(schema: DescMessage, message: object): JsonObject {
  const out: JsonObject = {};
  const source = message as AnyMessage;
  for (const field of schema.fields) {
    let value: unknown;
    if (field.oneof) {
      const selected = source[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
      if (selected?.case !== field.localName) continue;
      value = selected.value;
    } else {
      value = source[field.localName];
    }
    if (value === undefined || value === null) continue;
    const json = field.fieldKind === "list" ? writeList(field, value) : writeSingle(field, value, field.oneof !== undefined);
    if (json !== undefined) out[field.name] = json;
  }
  return out;
}

function writeList(field: DescField, value: unknown): JsonValue | undefined {
  if (!Array.isArray(value)) throw badValue(field, value);
  if (value.length === 0) return undefined;
  return value.map((item: unknown) => writeSingle(field, item, true)!);
}

/** One value; `keepDefault` for list items and oneof members, which are written even when zero. */
function writeSingle(field: DescField, value: unknown, keepDefault: boolean): JsonValue | undefined {
  if (field.message) {
    if (typeof value !== "object" || value === null) throw badValue(field, value);
    return toGatewayJson(field.message, value);
  }
  if (field.enum) {
    if (typeof value !== "number") throw badValue(field, value);
    if (value === 0 && !keepDefault) return undefined;
    return field.enum.value[value]?.name ?? value;
  }
  const scalar = field.scalar!;
  if (scalar === ScalarType.BYTES) {
    if (!(value instanceof Uint8Array)) throw badValue(field, value);
    return value.length === 0 && !keepDefault ? undefined : base64Encode(value);
  }
  if (LONG.has(scalar)) {
    if (typeof value !== "bigint" && typeof value !== "number" && typeof value !== "string") throw badValue(field, value);
    const text = BigInt(value).toString();
    return text === "0" && !keepDefault ? undefined : text;
  }
  if (scalar === ScalarType.STRING) {
    if (typeof value !== "string") throw badValue(field, value);
    return value === "" && !keepDefault ? undefined : value;
  }
  if (scalar === ScalarType.BOOL) {
    if (typeof value !== "boolean") throw badValue(field, value);
    return !value && !keepDefault ? undefined : value;
  }
  if (typeof value !== "number") throw badValue(field, value);
  if (value === 0 && !keepDefault && !Object.is(value, -0)) return undefined;
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}

function badValue(field: DescField, value: unknown): Error {
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  return invalidArgumentError(`cannot encode ${field.parent.typeName}.${field.name}: unexpected ${kind}`);
}

/**
 * The message a gateway JSON answer describes. Throws a TypeError naming the field when the JSON
 * does not fit the schema (the transport reports it as an EtcdError).
 *
 * @example
 * ```ts
 * fromGatewayJson(PutResponseSchema, { header: { revision: "2" } }).header?.revision; // 2n
 * ```
 */
export function fromGatewayJson<Desc extends DescMessage>(schema: Desc, json: unknown): MessageShape<Desc> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw invalid(schema.typeName, json);
  const message = create(schema) as unknown as AnyMessage;
  const object = json as JsonObject;
  for (const field of schema.fields) {
    let value = object[field.name];
    if (value === undefined && field.jsonName !== field.name) value = object[field.jsonName];
    if (value === undefined || value === null) continue;
    const read = field.fieldKind === "list" ? readList(field, value) : readSingle(field, value);
    if (field.oneof) message[field.oneof.localName] = { case: field.localName, value: read };
    else message[field.localName] = read;
  }
  return message as MessageShape<Desc>;
}

function readList(field: DescField, value: JsonValue): unknown[] {
  if (!Array.isArray(value)) throw invalid(`${field.parent.typeName}.${field.name}`, value);
  return value.map((item) => readSingle(field, item));
}

function readSingle(field: DescField, value: JsonValue): unknown {
  const where = `${field.parent.typeName}.${field.name}`;
  if (field.message) return fromGatewayJson(field.message, value);
  if (field.enum) {
    if (typeof value === "number" && Number.isInteger(value)) return value;
    const known = typeof value === "string" ? field.enum.values.find((v) => v.name === value) : undefined;
    if (known === undefined) throw invalid(where, value);
    return known.number;
  }
  const scalar = field.scalar!;
  if (scalar === ScalarType.BYTES) {
    if (typeof value !== "string") throw invalid(where, value);
    return base64Decode(value, where);
  }
  if (LONG.has(scalar)) {
    if ((typeof value !== "string" || !/^-?\d+$/.test(value)) && !(typeof value === "number" && Number.isInteger(value))) {
      throw invalid(where, value);
    }
    const n = BigInt(value);
    return scalar === ScalarType.UINT64 || scalar === ScalarType.FIXED64 ? BigInt.asUintN(64, n) : BigInt.asIntN(64, n);
  }
  if (scalar === ScalarType.STRING) {
    if (typeof value !== "string") throw invalid(where, value);
    return value;
  }
  if (scalar === ScalarType.BOOL) {
    if (typeof value !== "boolean") throw invalid(where, value);
    return value;
  }
  if (typeof value === "number") return value;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  throw invalid(where, value);
}

function invalid(where: string, value: unknown): Error {
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  return new TypeError(`cannot decode ${where} from JSON: unexpected ${kind}`);
}

/**
 * Standard or URL-safe base64, padded or not.
 *
 * @example
 * ```ts
 * base64Decode("Zm9v", "key"); // Uint8Array [102, 111, 111]
 * ```
 */
export function base64Decode(text: string, where: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw new TypeError(`cannot decode ${where} from JSON: invalid base64`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
