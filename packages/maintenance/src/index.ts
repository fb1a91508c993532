/**
 * @etcdkit/maintenance: etcd's maintenance API for TypeScript. Member status, alarms,
 * defragmentation, hash and hashKV, leader transfer, and streamed snapshots with progress, on any
 * Connect transport.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createMaintenance } from "@etcdkit/maintenance";
 *
 * const maintenance = createMaintenance(createTransport({ endpoints }));
 * await maintenance.snapshot(endpoints[0], "/backups/etcd.db");
 * ```
 */
export { createMaintenance } from "./create-maintenance.js";
export type { AlarmResult, HashKVResult, HashResult, Maintenance, MaintenanceResult, SnapshotOptions } from "./maintenance.js";
export type { Alarm, AlarmName } from "./alarm.js";
export type { CallOptions } from "@etcdkit/transport";
export type { MemberStatus } from "./member-status.js";
export type { ResponseHeader } from "@etcdkit/transport";
export type { SnapshotProgress, SnapshotResult, SnapshotTask } from "./snapshot/snapshot-task.js";
