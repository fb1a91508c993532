import { bytesToText } from "./bytes.js";
import { invalidArgumentError } from "./errors/client-errors.js";
import type { LeaseId, Revision } from "./ids.js";
import type { KeyValue as KeyValueMessage } from "@etcdkit/api/mvccpb/kv_pb";
import { ReadableRecord } from "./readable.js";

/**
 * One key-value pair as etcd stores it: raw bytes plus metadata, with small decoding helpers.
 * Instances are frozen. From a response, `key` and `value` keep alive at most about twice their
 * own bytes (they may share one buffer with each other), never the whole response, so caching
 * kvs costs what they hold.
 *
 * `JSON.stringify(kv)` gives `{ key, value, createRevision, modRevision, version, lease }` with
 * the key and value as text when they are valid UTF-8, else `{ "base64": "..." }`, and the
 * revisions and lease ID as decimal strings; `console.log(kv)` shows the key and value as text.
 *
 * @example
 * ```ts
 * const { kv } = await kvClient.get("config");
 * if (kv) console.log(kv.keyText(), kv.text(), kv.modRevision);
 * const settings = kv?.json<{ debug: boolean }>();
 * ```
 */
export class KeyValue extends ReadableRecord {
  /** The key's bytes. */
  readonly key: Uint8Array;
  /** The value's bytes (empty with `keysOnly`). */
  readonly value: Uint8Array;
  /** The revision of the key's last creation. */
  readonly createRevision: Revision;
  /** The revision of the key's last modification. */
  readonly modRevision: Revision;
  /** How many times the key was written since it was created (1 after the first put). */
  readonly version: number;
  /** The lease attached to the key; 0n: none. */
  readonly lease: LeaseId;

  /**
   * @example
   * ```ts
   * new KeyValue({ key: toBytes("k"), value: toBytes("v"), createRevision: 2n, modRevision: 2n, version: 1, lease: 0n });
   * ```
   */
  constructor(fields: KeyValueFields) {
    super();
    this.key = fields.key;
    this.value = fields.value;
    this.createRevision = fields.createRevision;
    this.modRevision = fields.modRevision;
    this.version = fields.version;
    this.lease = fields.lease;
    Object.freeze(this);
  }

  /**
   * The value decoded as UTF-8 text.
   *
   * @example
   * ```ts
   * (await kv.get("greeting")).kv?.text(); // "hello"
   * ```
   */
  text(): string {
    return bytesToText(this.value);
  }

  /**
   * The key decoded as UTF-8 text.
   *
   * @example
   * ```ts
   * for (const item of (await kv.getPrefix("jobs/")).kvs) console.log(item.keyText());
   * ```
   */
  keyText(): string {
    return bytesToText(this.key);
  }

  /**
   * The value parsed as JSON. The type parameter is not checked at run time.
   * Throws a `SyntaxError` when the value is not JSON.
   *
   * @example
   * ```ts
   * const config = (await kv.get("config")).kv?.json<{ replicas: number }>();
   * ```
   */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  /**
   * The value parsed as a decimal number: an optional sign, digits with an optional fraction, an
   * optional exponent (`-12`, `42.5`, `.5`, `1e3`); surrounding whitespace is allowed.
   * Throws an EtcdError `invalid-argument` when the value is not a finite number.
   *
   * @example
   * ```ts
   * const count = (await kv.get("counter")).kv?.number() ?? 0;
   * ```
   */
  number(): number {
    const text = this.text().trim();
    // Number() alone also reads "0x10", "0b11" and "0o7"; only decimal notation is a decimal number.
    const parsed = decimalNumber.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(parsed)) throw invalidArgumentError("the value is not a finite decimal number");
    return parsed;
  }
}

/** Decimal notation as JSON and most languages write numbers (no hex, octal, binary or Infinity). */
const decimalNumber = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The fields of a KeyValue.
 *
 * @example
 * ```ts
 * const fields: KeyValueFields = { key, value, createRevision: 2n, modRevision: 3n, version: 2, lease: 0n };
 * ```
 */
export interface KeyValueFields {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly createRevision: Revision;
  readonly modRevision: Revision;
  readonly version: number;
  readonly lease: LeaseId;
}

/**
 * Wraps a generated `mvccpb.KeyValue` message. Decoded messages hold views into the bytes they
 * were decoded from (a whole response: a page of a range, a batch of watch events), so a kv kept
 * in a cache would keep that whole response alive. When the buffers behind the key and value
 * hold more than twice the kv's own bytes, both are copied into one ArrayBuffer of their own; a
 * key and value that are most of their buffer (a large value) stay views, uncopied.
 *
 * @example
 * ```ts
 * const items = response.kvs.map(keyValueFromMessage);
 * ```
 */
export function keyValueFromMessage(message: KeyValueMessage): KeyValue {
  let key = message.key;
  let value = message.value;
  const own = key.length + value.length;
  const keyBuffer = key.buffer; // `.buffer` is a getter costing tens of ns: read each once
  const valueBuffer = value.buffer;
  const reachable = keyBuffer === valueBuffer ? keyBuffer.byteLength : keyBuffer.byteLength + valueBuffer.byteLength;
  if (reachable > 2 * own) {
    const copy = new ArrayBuffer(own);
    const keyCopy = new Uint8Array(copy, 0, key.length);
    const valueCopy = new Uint8Array(copy, key.length, value.length);
    keyCopy.set(key);
    valueCopy.set(value);
    key = keyCopy;
    value = valueCopy;
  }
  return new KeyValue({
    key,
    value,
    createRevision: message.createRevision,
    modRevision: message.modRevision,
    version: Number(message.version),
    lease: message.lease,
  });
}
