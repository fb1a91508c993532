import type { Attributes } from "@opentelemetry/api";

/**
 * How keys are recorded: `true` as text (UTF-8 keys as they are, others as `0x` + hex),
 * truncated to `maxKeyLength`; `false` not at all; a function returns the attribute value, or
 * undefined to leave the key out (to redact keys that carry tenant names, tokens...).
 *
 * @example
 * ```ts
 * const keys: KeyRecording = (key) => new TextDecoder().decode(key).replace(/^tenants\/[^/]+/, "tenants/*");
 * ```
 */
export type KeyRecording = boolean | ((key: Uint8Array, method: string) => string | undefined);

/**
 * What {@link requestAttributes} needs to know about recording keys.
 *
 * @example
 * ```ts
 * const policy: KeyPolicy = { keys: true, maxKeyLength: 256 };
 * ```
 */
export interface KeyPolicy {
  readonly keys: KeyRecording;
  readonly maxKeyLength: number;
}

type Fields = Record<string, unknown>;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A key as span text: the UTF-8 text when the bytes are valid UTF-8, else `0x` and hex; longer
 * than `max` characters: cut, with "…" appended.
 *
 * @example
 * ```ts
 * keyText(new TextEncoder().encode("config/a"), 256); // "config/a"
 * keyText(new Uint8Array([0xff, 0x00]), 256);          // "0xff00"
 * ```
 */
export function keyText(key: Uint8Array, max: number): string {
  let text: string;
  try {
    text = utf8.decode(key);
  } catch {
    text = "0x" + Array.from(key, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The span attributes of an etcd request, from the fields that are safe to record: keys and range
 * ends of KV Range / Put / DeleteRange (per `policy`), lease IDs, the revision a Range reads at or
 * Compact compacts to, a lease grant's TTL. Never a value, a password, or anything of another
 * RPC's request (Auth's requests carry passwords; Txn's carry values).
 *
 * @example
 * ```ts
 * requestAttributes("etcdserverpb.KV", "Range", { key, rangeEnd, revision: 0n }, policy); // { "etcd.key": "a", "etcd.range_end": "b" }
 * ```
 */
export function requestAttributes(service: string, method: string, message: unknown, policy: KeyPolicy): Attributes {
  const m = (message ?? {}) as Fields;
  const attributes: Attributes = {};
  const name = `${service}/${method}`;
  if (service === "etcdserverpb.KV") {
    if (method === "Range" || method === "Put" || method === "DeleteRange") {
      putKey(attributes, "etcd.key", m.key, name, policy);
      putKey(attributes, "etcd.range_end", m.rangeEnd, name, policy);
    }
    if (method === "Range") putInt(attributes, "etcd.read_revision", m.revision);
    if (method === "Put") putId(attributes, "etcd.lease_id", m.lease);
    if (method === "Compact") putInt(attributes, "etcd.compact_revision", m.revision);
  } else if (service === "etcdserverpb.Lease") {
    if (method === "LeaseGrant") {
      putId(attributes, "etcd.lease_id", m.ID);
      putInt(attributes, "etcd.lease_ttl", m.TTL);
    } else if (method === "LeaseRevoke" || method === "LeaseTimeToLive") {
      putId(attributes, "etcd.lease_id", m.ID);
    }
  }
  return attributes;
}

/**
 * The span attributes of an etcd answer: the revision of its response header, a Range's count,
 * the ID a lease grant got.
 *
 * @example
 * ```ts
 * responseAttributes("etcdserverpb.KV", "Range", response.message); // { "etcd.revision": 42, "etcd.count": 1 }
 * ```
 */
export function responseAttributes(service: string, method: string, message: unknown): Attributes {
  const m = (message ?? {}) as Fields;
  const attributes: Attributes = {};
  putInt(attributes, "etcd.revision", (m.header as Fields | undefined)?.revision);
  if (service === "etcdserverpb.KV" && method === "Range") putInt(attributes, "etcd.count", m.count);
  if (service === "etcdserverpb.Lease" && method === "LeaseGrant") putId(attributes, "etcd.lease_id", m.ID);
  return attributes;
}

function putKey(attributes: Attributes, name: string, value: unknown, method: string, policy: KeyPolicy): void {
  if (!(value instanceof Uint8Array) || value.length === 0 || policy.keys === false) return;
  const text = policy.keys === true ? keyText(value, policy.maxKeyLength) : policy.keys(value, method);
  if (typeof text === "string") attributes[name] = text;
}

/** A revision or count: a number (they stay far below 2^53 in practice), or its decimal text beyond. */
function putInt(attributes: Attributes, name: string, value: unknown): void {
  if (typeof value !== "bigint" || value === 0n) return;
  attributes[name] = value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** An int64 ID (lease): decimal text, as etcd's JSON gateway writes it. */
function putId(attributes: Attributes, name: string, value: unknown): void {
  if (typeof value === "bigint" && value !== 0n) attributes[name] = value.toString();
}
