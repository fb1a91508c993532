/**
 * `@etcdkit/lease`: etcd leases for TypeScript. Grant, revoke, time-to-live (with keys), list and
 * keepAliveOnce; keepalive of any number of leases on one shared stream (renewed every TTL/3,
 * re-opened when it breaks); and a precise notion of loss: a lease is lost when etcd says so, when
 * it is revoked, or at its local deadline (last successful renewal's send time + TTL), whichever
 * comes first. `await using` revokes a lease.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createLease } from "@etcdkit/lease";
 *
 * const leases = createLease(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));
 * await using lease = await leases.grant(5);
 * lease.keepAlive();
 * lease.lost.then(({ reason }) => console.log("lost:", reason));
 * ```
 */
export { createLease, type GrantOptions, type LeaseClient } from "./create-lease.js";
export { Lease, type LeaseCallOptions } from "./lease.js";
export type { LeaseTimeToLive } from "./lease-time-to-live.js";
export type { LeaseLoss, LeaseLossReason } from "./lease-loss.js";
export type { LeaseRenewal } from "./lease-renewal.js";
export type { LeaseList, LeaseRevokeResult } from "./lease-results.js";
export type { ResponseHeader } from "@etcdkit/transport";
export type { KeepAliveStats } from "./keepalive-hub.js";
