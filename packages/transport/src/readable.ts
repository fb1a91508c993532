import { base64Encode } from "./base64.js";

/**
 * The symbol Node's `util.inspect` (hence `console.log`) calls for a custom view of an object.
 * Taken from the global symbol registry, so no `node:util` import is needed and browser bundles
 * work unchanged (Bun's console honours it too).
 *
 * @example
 * ```ts
 * class Point { [inspectCustom]() { return "Point(1, 2)"; } }
 * ```
 */
export const inspectCustom: unique symbol = Symbol.for("nodejs.util.inspect.custom");

/**
 * How bytes appear in JSON: the text when they are valid UTF-8 (the usual case for etcd keys and
 * values), else `{ "base64": "..." }` (standard base64 with padding). The object form cannot be
 * mistaken for text, so a reader can always tell which one it got.
 *
 * @example
 * ```ts
 * const key: BytesJSON = JSON.parse(JSON.stringify(item)).key; // "config" or { base64: "AP8=" }
 * ```
 */
export type BytesJSON = string | { readonly base64: string };

let strictDecoder: TextDecoder | undefined;

/**
 * The bytes as text when they are valid UTF-8 (a leading byte-order mark is kept), else
 * undefined: unlike `bytesToText`, nothing is replaced by U+FFFD.
 *
 * @example
 * ```ts
 * utf8Text(toBytes("héllo"));            // "héllo"
 * utf8Text(new Uint8Array([0xff, 0x00])); // undefined
 * ```
 */
export function utf8Text(bytes: Uint8Array): string | undefined {
  strictDecoder ??= new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Bytes as JSON (see `BytesJSON`): text when valid UTF-8, else `{ base64 }`.
 *
 * @example
 * ```ts
 * bytesToJSON(toBytes("a"));              // "a"
 * bytesToJSON(new Uint8Array([0xff]));    // { base64: "/w==" }
 * ```
 */
export function bytesToJSON(bytes: Uint8Array): BytesJSON {
  return utf8Text(bytes) ?? { base64: base64Encode(bytes) };
}

/**
 * A value as JSON can hold it, the way etcdkit's results serialize: bigints (revisions, IDs) as
 * decimal strings, bytes as `BytesJSON`, arrays element by element, objects with a `toJSON`
 * through it, errors as `{ name, message, ...their own fields }`, other objects by their own
 * enumerable fields; numbers, strings, booleans, null and undefined as they are.
 *
 * @example
 * ```ts
 * toJSONValue({ revision: 42n, key: toBytes("a") }); // { revision: "42", key: "a" }
 * ```
 */
export function toJSONValue(value: unknown): unknown {
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "object": {
      if (value === null) return null;
      if (value instanceof Uint8Array) return bytesToJSON(value);
      if (Array.isArray(value)) return value.map(toJSONValue);
      const withJSON = value as { toJSON?: unknown };
      if (typeof withJSON.toJSON === "function") return (withJSON.toJSON as () => unknown).call(value);
      if (value instanceof Error) return { name: value.name, message: value.message, ...jsonFields(value) };
      return jsonFields(value);
    }
    case "function":
    case "symbol":
      return undefined;
    default:
      return value;
  }
}

/**
 * The own enumerable fields of `value`, each through `toJSONValue`.
 *
 * @example
 * ```ts
 * jsonFields({ id: 7n, ttl: 5 }); // { id: "7", ttl: 5 }
 * ```
 */
export function jsonFields(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = toJSONValue((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * The base of etcdkit's result objects: `JSON.stringify(result)` works (see `toJSONValue`: bigints
 * as decimal strings, bytes as text or `{ base64 }`), and `console.log(result)` /
 * `util.inspect(result)` show bytes that are valid UTF-8 as text (bigints stay `42n`). Neither
 * changes the object.
 *
 * @example
 * ```ts
 * class Answer extends ReadableRecord { constructor(readonly revision: bigint) { super(); } }
 * JSON.stringify(new Answer(5n)); // '{"revision":"5"}'
 * ```
 */
export class ReadableRecord {
  /**
   * The object as JSON can hold it (what `JSON.stringify` uses).
   *
   * @example
   * ```ts
   * const plain = result.toJSON(); // bigints as decimal strings, bytes as text or { base64 }
   * ```
   */
  toJSON(): Record<string, unknown> {
    return jsonFields(this.readableFields());
  }

  /**
   * What `util.inspect` shows: the own fields, bytes as text when valid UTF-8.
   *
   * @example
   * ```ts
   * console.log(item); // KeyValue { key: 'config', value: '{"replicas":3}', createRevision: 2n, ... }
   * ```
   */
  [inspectCustom](): object {
    const name = this.constructor === ReadableRecord ? undefined : this.constructor.name;
    const view = name === undefined ? {} : new (viewClass(name))();
    const fields = this.readableFields() as Record<string, unknown>;
    for (const key of Object.keys(fields)) (view as Record<string, unknown>)[key] = inspectValue(fields[key]);
    return view;
  }

  /**
   * The fields `toJSON` and the inspect view show: by default the object's own enumerable fields.
   * An object with internal state (a lease) returns a plain object of what it wants shown.
   *
   * @example
   * ```ts
   * protected override readableFields(): object { return { id: this.id, ttl: this.ttl }; }
   * ```
   */
  protected readableFields(): object {
    return this;
  }
}

/**
 * Gives a plain object the behaviour of `ReadableRecord` (its `toJSON` and inspect view) and
 * returns it; for results built as object literals.
 *
 * @example
 * ```ts
 * return readableRecord({ header: toResponseHeader(response.header), members });
 * ```
 */
export function readableRecord<T extends object>(fields: T): T {
  return Object.setPrototypeOf(fields, ReadableRecord.prototype) as T;
}

/** Bytes that are valid UTF-8 as text; other values (a nested record inspects itself) as they are. */
function inspectValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return utf8Text(value) ?? value;
  if (Array.isArray(value) && value.some((item) => item instanceof Uint8Array)) return value.map(inspectValue);
  return value;
}

/** Empty classes named like a record's class, so that an inspect view prints under that name. */
const viewClasses = new Map<string, new () => object>();

function viewClass(name: string): new () => object {
  let view = viewClasses.get(name);
  if (view === undefined) {
    // A class defined under a computed property name takes that name.
    view = { [name]: class {} }[name]!;
    viewClasses.set(name, view);
  }
  return view;
}
