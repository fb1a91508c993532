/**
 * `@etcdkit/ordering`: a KV that never answers from the past, as Go's `clientv3/ordering`. It
 * remembers the highest revision seen and retries, on another endpoint, a read answered by a
 * member behind it.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createOrderingKV } from "@etcdkit/ordering";
 * import { createTransport } from "@etcdkit/transport";
 *
 * const kv = createOrderingKV(createTransport({ endpoints: ["http://10.0.0.1:2379", "http://10.0.0.2:2379"] }));
 * const { kv: item } = await kv.get("config", { serializable: true });
 * ```
 */
export { createOrderingKV, type OrderingKV, type OrderingOptions } from "./ordering-kv.js";
export { noGreaterRevisionError, switchEndpointPolicy, type OrderViolation, type OrderViolationHandler } from "./order-violation.js";
