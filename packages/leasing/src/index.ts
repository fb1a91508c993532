/**
 * `@etcdkit/leasing`: linearizable reads of etcd keys from a local cache. A read takes ownership
 * of its key (a lease-bound key under a prefix, Go's `clientv3/leasing` protocol and layout, so Go
 * clients and this one share a prefix); later reads are answered from memory while the lease is
 * provably alive; writers ask owners to give keys up first. Go's known correctness bugs
 * (etcd-io/etcd#19091, #20704) are fixed.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createLeasingKV } from "@etcdkit/leasing";
 *
 * await using lkv = await createLeasingKV(createTransport({ endpoints: ["http://127.0.0.1:2379"] }), "leasing/");
 * await lkv.get("config"); // etcd; now owned
 * await lkv.get("config"); // memory
 * ```
 */
export { createLeasingKV, type HasTransport, type LeasingKV } from "./create-leasing-kv.js";
export type { LeasingKVOptions } from "./leasing-options.js";
export type { LeasingStats } from "./leasing-stats.js";
export { REVOKE } from "./ownership-layout.js";
