/**
 * etcdkit's errors: one EtcdError with a reason per etcd server message, the message table,
 * the conversion from anything a call throws, and the errors thrown before any network I/O.
 *
 * @example
 * ```ts
 * import { isEtcdError, toEtcdError } from "@etcdkit/transport";
 * ```
 */
export type { EtcdClientErrorReason, EtcdErrorReason, EtcdServerErrorReason } from "./etcd-error-reason.js";
export { EtcdError, isEtcdError, type EtcdErrorOptions } from "./etcd-error.js";
export { rpcErrorTable, type RpcErrorRow } from "./rpctypes-table.js";
export { toEtcdError } from "./to-etcd-error.js";
export { emptyKeyError, invalidArgumentError, outcomeUnknownError } from "./client-errors.js";
