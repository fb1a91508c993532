import { Permission_Type, type Permission as RawPermission } from "@etcdkit/api/authpb/auth_pb";
import { compareBytes, fromKeyRangeEnd, prefixRangeEnd, toBytes, type Bytes } from "@etcdkit/transport";
import { emptyKeyError, invalidArgumentError, ownOptions, readableRecord } from "@etcdkit/transport/internal";

/**
 * What a permission allows on its keys.
 *
 * @example
 * ```ts
 * const type: PermissionType = "readwrite";
 * ```
 */
export type PermissionType = "read" | "write" | "readwrite";

/**
 * The keys a permission covers: one key, a range `[key, rangeEnd)`, every key with a prefix, or
 * every key from a key on. The shapes exclude each other, so mixing them is a compile error.
 * An empty `prefix` or `fromKey` covers the whole key space (as etcdctl's `--prefix ""`).
 *
 * @example
 * ```ts
 * const one: KeyRange = { key: "config" };
 * const range: KeyRange = { key: "foo", rangeEnd: "zoo" };
 * const prefix: KeyRange = { prefix: "app/" };
 * const from: KeyRange = { fromKey: "m" };
 * ```
 */
export type KeyRange =
  | { readonly key: Bytes; readonly rangeEnd?: Bytes; readonly prefix?: never; readonly fromKey?: never }
  | { readonly prefix: Bytes; readonly key?: never; readonly rangeEnd?: never; readonly fromKey?: never }
  | { readonly fromKey: Bytes; readonly key?: never; readonly rangeEnd?: never; readonly prefix?: never };

/**
 * A permission to grant: a key range and what it allows.
 *
 * @example
 * ```ts
 * await auth.roleGrantPermission("reader", { prefix: "app/", type: "read" });
 * ```
 */
export type PermissionSpec = KeyRange & { readonly type: PermissionType };

/**
 * A permission of a role, as RoleGet returns it: raw key bytes (decode with `bytesToText`),
 * `rangeEnd` empty for a single key and `[0]` for "every key from `key` on".
 *
 * @example
 * ```ts
 * const { permissions } = await auth.roleGet("reader");
 * console.log(permissions.map((p) => `${p.type} [${bytesToText(p.key)}, ${bytesToText(p.rangeEnd)})`));
 * ```
 */
export interface Permission {
  readonly type: PermissionType;
  readonly key: Uint8Array;
  readonly rangeEnd: Uint8Array;
}

const typeNames: Record<Permission_Type, PermissionType> = {
  [Permission_Type.READ]: "read",
  [Permission_Type.WRITE]: "write",
  [Permission_Type.READWRITE]: "readwrite",
};

const typeValues: Record<PermissionType, Permission_Type> = {
  read: Permission_Type.READ,
  write: Permission_Type.WRITE,
  readwrite: Permission_Type.READWRITE,
};

/**
 * Converts a generated Permission.
 *
 * @example
 * ```ts
 * const permissions = response.perm.map(toPermission);
 * ```
 */
export function toPermission(raw: RawPermission): Permission {
  return readableRecord({ type: typeNames[raw.permType] ?? "read", key: raw.key, rangeEnd: raw.rangeEnd });
}

/**
 * The wire value of a permission type; throws an EtcdError "invalid-argument" for anything else.
 *
 * @example
 * ```ts
 * permissionTypeOf("read"); // Permission_Type.READ
 * ```
 */
export function permissionTypeOf(type: PermissionType): Permission_Type {
  const value = Object.hasOwn(typeValues, type) ? typeValues[type] : undefined;
  if (value === undefined) throw invalidArgumentError(`permission type must be "read", "write" or "readwrite"`);
  return value;
}

/**
 * The `[key, rangeEnd)` bytes of a KeyRange, as etcdctl's `role grant-permission` computes them.
 * Throws an EtcdError "empty-key" for an empty single key, "invalid-argument" for a malformed
 * range (no or several of key, prefix, fromKey; a rangeEnd without key; not bytes), before any
 * network I/O.
 *
 * @example
 * ```ts
 * keyRangeBytes({ prefix: "app/" }); // { key: "app/", rangeEnd: "app0" } as bytes
 * ```
 */
export function keyRangeBytes(spec: KeyRange): { key: Uint8Array; rangeEnd: Uint8Array } {
  if (typeof spec !== "object" || spec === null) throw invalidArgumentError("give a key range: { key }, { key, rangeEnd }, { prefix } or { fromKey }");
  // Own properties only: a polluted Object.prototype must not widen a permission (rangeEnd, prefix).
  const range = ownOptions(spec as { key?: Bytes; prefix?: Bytes; fromKey?: Bytes; rangeEnd?: Bytes }, "a key range");
  const given = (["key", "prefix", "fromKey"] as const).filter((k) => range[k] !== undefined);
  if (given.length !== 1) throw invalidArgumentError("a key range has exactly one of key, prefix or fromKey");
  if (range.prefix !== undefined || range.fromKey !== undefined) {
    if (range.rangeEnd !== undefined) throw invalidArgumentError(`rangeEnd goes with key only, not with ${given[0]}`);
    const start = bytesOf(range.prefix ?? range.fromKey, range.prefix !== undefined ? "prefix" : "fromKey");
    // An empty start covers every key: ["\0", "\0"), as etcdctl sends it.
    if (start.length === 0) return { key: new Uint8Array([0]), rangeEnd: fromKeyRangeEnd.slice() };
    return { key: start, rangeEnd: range.prefix !== undefined ? prefixRangeEnd(start) : fromKeyRangeEnd.slice() };
  }
  const key = bytesOf(range.key, "key");
  if (key.length === 0) throw emptyKeyError();
  return { key, rangeEnd: range.rangeEnd === undefined ? new Uint8Array(0) : bytesOf(range.rangeEnd, "rangeEnd") };
}

/**
 * The `[key, rangeEnd)` bytes of a permission to grant: as {@link keyRangeBytes}, and the range
 * must not be empty. etcd 3.4 stores an empty range (`rangeEnd` at or before `key`) as a
 * permission that grants nothing; etcd 3.5+ refuses it. Throws an EtcdError "invalid-argument"
 * before any network I/O. (Revoking takes any range, so such a stored permission can be removed.)
 *
 * @example
 * ```ts
 * grantRangeBytes({ key: "foo", rangeEnd: "zoo" }); // { key: "foo", rangeEnd: "zoo" } as bytes
 * grantRangeBytes({ key: "zoo", rangeEnd: "foo" }); // throws: empty range
 * ```
 */
export function grantRangeBytes(range: KeyRange): { key: Uint8Array; rangeEnd: Uint8Array } {
  const bytes = keyRangeBytes(range);
  const { key, rangeEnd } = bytes;
  const openEnded = rangeEnd.length === 1 && rangeEnd[0] === 0;
  if (rangeEnd.length > 0 && !openEnded && compareBytes(key, rangeEnd) >= 0) {
    throw invalidArgumentError(`a permission's rangeEnd must sort after its key (else it grants nothing); rangeEnd "\\0" means every key from key on`);
  }
  return bytes;
}

function bytesOf(value: Bytes | undefined, field: string): Uint8Array {
  if (typeof value !== "string" && !(value instanceof Uint8Array)) {
    throw invalidArgumentError(`${field} must be a string or a Uint8Array`);
  }
  return toBytes(value);
}
