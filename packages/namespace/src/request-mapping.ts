import { prefixKey, prefixWireRange } from "./key-mapping.js";

/**
 * A request message as a transport receives it (Connect's `MessageInitShape`): a message or a
 * plain object whose fields may be missing.
 */
type Init = Record<string, unknown>;

const noBytes = new Uint8Array(0);

function bytesField(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : noBytes;
}

/**
 * A copy of a request with `key` and `rangeEnd` moved into the namespace.
 *
 * @example
 * ```ts
 * prefixRangeFields(ns, { key: toBytes("a"), rangeEnd: toBytes("b") }); // { key: "app/a", rangeEnd: "app/b" }
 * ```
 */
export function prefixRangeFields<T extends Init>(namespace: Uint8Array, input: T): T {
  return { ...input, ...prefixWireRange(namespace, bytesField(input.key), bytesField(input.rangeEnd)) };
}

/**
 * A copy of a request with one key field (`key`, `name`) moved into the namespace.
 *
 * @example
 * ```ts
 * prefixKeyField(ns, { key: toBytes("a"), value }, "key"); // { key: "app/a", value }
 * ```
 */
export function prefixKeyField<T extends Init>(namespace: Uint8Array, input: T, field: "key" | "name"): T {
  return { ...input, [field]: prefixKey(namespace, bytesField(input[field])) };
}

/**
 * A Txn request moved into the namespace: every comparison and every op of both branches,
 * nested txns included.
 *
 * @example
 * ```ts
 * prefixTxn(ns, { compare: [{ key: toBytes("a"), ... }], success: [{ request: { case: "requestPut", value: { key: toBytes("a") } } }] });
 * ```
 */
export function prefixTxn<T extends Init>(namespace: Uint8Array, input: T): T {
  const compare = (input.compare as Init[] | undefined)?.map((c) => prefixRangeFields(namespace, c));
  const success = (input.success as Init[] | undefined)?.map((o) => prefixRequestOp(namespace, o));
  const failure = (input.failure as Init[] | undefined)?.map((o) => prefixRequestOp(namespace, o));
  return { ...input, compare, success, failure };
}

function prefixRequestOp(namespace: Uint8Array, op: Init): Init {
  const request = op.request as { case?: string; value?: Init } | undefined;
  if (request?.value === undefined) return op;
  switch (request.case) {
    case "requestRange":
    case "requestDeleteRange":
      return { ...op, request: { case: request.case, value: prefixRangeFields(namespace, request.value) } };
    case "requestPut":
      return { ...op, request: { case: request.case, value: prefixKeyField(namespace, request.value, "key") } };
    case "requestTxn":
      return { ...op, request: { case: request.case, value: prefixTxn(namespace, request.value) } };
    default:
      return op;
  }
}

/**
 * A Watch stream request moved into the namespace: a create request's key and range end; cancel
 * and progress requests are unchanged.
 *
 * @example
 * ```ts
 * prefixWatchRequest(ns, { requestUnion: { case: "createRequest", value: { key: toBytes("a") } } });
 * ```
 */
export function prefixWatchRequest<T extends Init>(namespace: Uint8Array, input: T): T {
  const union = input.requestUnion as { case?: string; value?: Init } | undefined;
  if (union?.case !== "createRequest" || union.value === undefined) return input;
  return { ...input, requestUnion: { case: "createRequest", value: prefixRangeFields(namespace, union.value) } };
}

/**
 * An election request whose `leader` (a LeaderKey: name and key) is moved into the namespace.
 *
 * @example
 * ```ts
 * prefixLeaderField(ns, { leader: { name: toBytes("e"), key: toBytes("e/694d"), rev, lease }, value });
 * ```
 */
export function prefixLeaderField<T extends Init>(namespace: Uint8Array, input: T): T {
  const leader = input.leader as Init | undefined;
  if (leader === undefined) return input;
  const moved = prefixKeyField(namespace, prefixKeyField(namespace, leader, "name"), "key");
  return { ...input, leader: moved };
}
