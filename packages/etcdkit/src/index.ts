/**
 * `etcdkit`: etcd v3 for TypeScript in one client. `createClient(config)` gives every service on
 * one transport; `loadConfig(path)` reads Go's YAML/JSON client config and `configFromEnv()`
 * etcdctl's environment; `client.namespace(prefix)` confines a client to a key prefix. The
 * service packages' main exports are re-exported, so one import is enough; a bundle carries only
 * what the code uses (the client itself references every service).
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createClient, keyMissing, op } from "etcdkit";
 *
 * await using client = createClient({ endpoints: ["http://127.0.0.1:2379"] });
 * await client.kv.txn().if(keyMissing("config")).then(op.put("config", "{}")).commit();
 * ```
 */
export { createClient, type ClientConfig, type EtcdClient } from "./create-client.js";
export { loadConfig, parseConfig } from "./load-config.js";
export { configFromEnv } from "./config-from-env.js";
export { keyExists, keyMissing } from "./key-compares.js";

export {
  createTransport,
  EtcdError,
  isEtcdError,
  KeyValue,
  toBytes,
  type Bytes,
  type CallOptions,
  type EtcdErrorReason,
  type EtcdTransport,
  type LeaseId,
  type MemberId,
  type ResponseHeader,
  type Revision,
  type TlsOptions,
  type TransportOptions,
} from "@etcdkit/transport";
export {
  compare,
  createKV,
  op,
  withFirstCreate,
  withFirstKey,
  withFirstRev,
  withLastCreate,
  withLastKey,
  withLastRev,
  withNamespace,
  type GetResult,
  type KV,
  type Op,
  type RangeResult,
  type TxnResult,
} from "@etcdkit/kv";
export { createWatch, listThenWatch, type Watch, type WatchBatch, type WatchEvent, type Watcher, type WatchOptions } from "@etcdkit/watch";
export { createLease, Lease, type LeaseClient, type LeaseLoss } from "@etcdkit/lease";
export { createCluster, formatMemberId, parseMemberId, type Cluster, type Member } from "@etcdkit/cluster";
export { createMaintenance, type Maintenance } from "@etcdkit/maintenance";
export { createAuth, type Auth } from "@etcdkit/auth";
export { namespaceTransport, type NamespacedTransport } from "@etcdkit/namespace";
export {
  createElection,
  createMutex,
  createSession,
  runSTM,
  type Election,
  type HeldLock,
  type Mutex,
  type Session,
  type SessionOptions,
  type STM,
  type STMOptions,
} from "@etcdkit/concurrency";
