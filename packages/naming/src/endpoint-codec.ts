import { invalidArgumentError } from "@etcdkit/transport/internal";

/**
 * A service endpoint, as Go's `naming/endpoints.Endpoint`: the address to dial and optional
 * metadata (any JSON value; Go's `interface{}`), e.g. a weight or a zone.
 *
 * @example
 * ```ts
 * const endpoint: Endpoint = { addr: "10.0.0.7:50051", metadata: { zone: "eu-1" } };
 * ```
 */
export interface Endpoint {
  readonly addr: string;
  readonly metadata?: unknown;
}

/**
 * The value Go's endpoint manager writes for an endpoint, byte for byte: the JSON of its
 * `internal.Update{Op: Add, Addr, Metadata}` as Go's `encoding/json` marshals it, fields in that
 * order, `null` for no metadata, and `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c` etc.
 * (Go escapes them for HTML safety). Metadata objects keep their key order (Go sorts the keys of
 * a map it marshals; either order reads the same).
 *
 * Throws EtcdError "invalid-argument" for an address that is not a string or metadata JSON cannot
 * represent (a bigint, a cycle).
 *
 * @example
 * ```ts
 * encodeEndpoint({ addr: "127.0.0.1:50051" }); // '{"Op":0,"Addr":"127.0.0.1:50051","Metadata":null}'
 * ```
 */
export function encodeEndpoint(endpoint: Endpoint): string {
  if (typeof endpoint?.addr !== "string") throw invalidArgumentError("endpoints: an endpoint needs an addr string");
  let metadata: string | undefined;
  try {
    metadata = endpoint.metadata === undefined ? "null" : JSON.stringify(endpoint.metadata);
  } catch (err) {
    throw invalidArgumentError(`endpoints: the metadata of ${endpoint.addr} is not JSON: ${(err as Error).message}`);
  }
  if (metadata === undefined) throw invalidArgumentError(`endpoints: the metadata of ${endpoint.addr} is not JSON`);
  return goHtmlEscape(`{"Op":0,"Addr":${JSON.stringify(endpoint.addr)},"Metadata":${metadata}}`);
}

/**
 * The endpoint of a stored value, read as Go reads it (`json.Unmarshal` into `internal.Update`):
 * field names match case-insensitively (`"addr"` is `Addr`), unknown fields are ignored, a
 * missing or null `Addr` is "", `Metadata` is any JSON value (undefined when null or missing).
 * Returns undefined for a value Go could not unmarshal (not JSON, not an object, `Addr` not a
 * string, `Op` not a small integer); Go's manager skips those too.
 *
 * @example
 * ```ts
 * decodeEndpoint('{"Op":0,"Addr":"10.0.0.7:50051","Metadata":{"weight":3}}'); // { addr: "10.0.0.7:50051", metadata: { weight: 3 } }
 * ```
 */
export function decodeEndpoint(value: string): Endpoint | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  let addr = "";
  let metadata: unknown = undefined;
  for (const [name, field] of Object.entries(parsed)) {
    switch (name.toLowerCase()) {
      case "addr":
        if (field !== null && typeof field !== "string") return undefined;
        addr = field ?? "";
        break;
      case "metadata":
        metadata = field === null ? undefined : field;
        break;
      case "op":
        if (field !== null && !(Number.isInteger(field) && (field as number) >= 0 && (field as number) <= 255)) return undefined;
        break;
    }
  }
  return metadata === undefined ? { addr } : { addr, metadata };
}

/** Go's `encoding/json` HTML-safe escaping of a JSON text (only ever inside strings). */
function goHtmlEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
