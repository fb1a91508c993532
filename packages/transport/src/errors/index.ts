/**
 * etcdkit's public errors: one EtcdError with a reason per etcd server message, and its guard.
 * The message table, the conversion from anything a call throws and the constructors of the
 * errors thrown before any network I/O are in `@etcdkit/transport/internal`.
 *
 * @example
 * ```ts
 * import { EtcdError, isEtcdError } from "@etcdkit/transport";
 * ```
 */
export type { EtcdClientErrorReason, EtcdErrorReason, EtcdServerErrorReason } from "./etcd-error-reason.js";
export { EtcdError, isEtcdError, type EtcdErrorOptions } from "./etcd-error.js";
