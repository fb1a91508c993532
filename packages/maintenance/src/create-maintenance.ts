import type { Transport } from "@connectrpc/connect";
import {
  AlarmRequest_AlarmAction,
  AlarmType,
  Maintenance as MaintenanceService,
  type ResponseHeader as RawResponseHeader,
} from "@etcdkit/api/etcdserverpb/rpc_pb";
import type { Writable } from "node:stream";
import { connectCallOptions, type CallOptions, type MemberId, type ResponseHeader } from "@etcdkit/transport";
import {
  checkMemberId,
  checkRevision,
  checkTransport,
  createRpcClient,
  invalidArgumentError,
  memberTransport,
  ownOptions,
  readableRecord,
  toEtcdError,
  toResponseHeader,
} from "@etcdkit/transport/internal";
import { alarmTypeOf, toAlarm, type Alarm } from "./alarm.js";
import type { AlarmResult, Maintenance, MaintenanceResult } from "./maintenance.js";
import { toMemberStatus } from "./member-status.js";
import { loadNodeModules } from "./snapshot/node-modules.js";
import { checkSnapshotOptions } from "./snapshot/snapshot-options.js";
import { saveSnapshot } from "./snapshot/save-snapshot.js";
import { startSnapshotTask } from "./snapshot/snapshot-task.js";

/**
 * Creates the maintenance API on a Connect `Transport`. The cluster-wide calls (alarms) go
 * through `transport` as it is; the calls that address one member (status, defragment, hash,
 * hashKV, snapshot, moveLeader) go through `transport.forEndpoint(endpoint)`, i.e. etcdkit's
 * transport's own connection to that member, with its TLS settings and auth token: no handshake
 * or Authenticate per call. On a transport without `forEndpoint` (Connect's own transports) those
 * calls fail with "invalid-argument" before any I/O.
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createMaintenance } from "@etcdkit/maintenance";
 *
 * const maintenance = createMaintenance(createTransport({ endpoints }));
 * const status = await maintenance.status(endpoints[0]);
 * ```
 */
export function createMaintenance(transport: Transport): Maintenance {
  checkTransport(transport, "createMaintenance");
  const shared = createRpcClient(MaintenanceService, transport);
  const onMember = <T>(endpoint: string, call: string, fn: (client: typeof shared) => Promise<T>): Promise<T> =>
    fn(createRpcClient(MaintenanceService, memberTransport(transport, endpoint, call)));

  const alarm = async (
    action: AlarmRequest_AlarmAction,
    memberID: MemberId,
    type: AlarmType,
    callOptions: CallOptions | undefined,
  ): Promise<AlarmResult> => {
    const response = await shared.alarm({ action, memberID, alarm: type }, connectCallOptions(callOptions));
    return readableRecord({ alarms: response.alarms.map(toAlarm), header: headerIfSent(response.header) });
  };

  const list = (callOptions?: CallOptions) => alarm(AlarmRequest_AlarmAction.GET, 0n, AlarmType.NONE, callOptions);

  const disarm = (given: Alarm, callOptions?: CallOptions) => {
    if (typeof given !== "object" || given === null) throw invalidArgumentError("alarmDisarm: give an alarm, e.g. from alarmList()");
    const target = ownOptions(given, "alarmDisarm: the alarm");
    // Member 0 names no member: etcd would disarm nothing. alarmDisarmAll disarms every alarm.
    const memberId = checkMemberId(target.memberId, "alarmDisarm: alarm.memberId", " (alarmDisarmAll disarms every alarm)");
    return alarm(AlarmRequest_AlarmAction.DEACTIVATE, memberId, alarmTypeOf(target.alarm!), callOptions);
  };

  return {
    status: (endpoint, callOptions) =>
      call(() => onMember(endpoint, "status", async (c) => toMemberStatus(await c.status({}, connectCallOptions(callOptions))))),

    alarmList: (callOptions) => call(() => list(callOptions)),

    alarmDisarm: (target, callOptions) => call(() => disarm(target, callOptions)),

    alarmDisarmAll: (callOptions) =>
      call(async () => {
        const active = await list(callOptions);
        const disarmed: Alarm[] = [];
        let header = active.header;
        for (const alarm of active.alarms) {
          const result = await disarm(alarm, callOptions);
          disarmed.push(...result.alarms);
          header = result.header;
        }
        return readableRecord({ alarms: disarmed, header });
      }),

    defragment: (endpoint, callOptions) =>
      call(() =>
        onMember(endpoint, "defragment", async (c): Promise<MaintenanceResult> => {
          const response = await c.defragment({}, connectCallOptions(callOptions));
          return readableRecord({ header: headerIfSent(response.header) });
        }),
      ),

    hash: (endpoint, callOptions) =>
      call(() =>
        onMember(endpoint, "hash", async (c) => {
          const response = await c.hash({}, connectCallOptions(callOptions));
          return readableRecord({ header: toResponseHeader(response.header), hash: response.hash });
        }),
      ),

    hashKV: (endpoint, revision = 0n, callOptions) =>
      call(() => {
        checkRevision(revision, "hashKV: revision");
        return onMember(endpoint, "hashKV", async (c) => {
          const response = await c.hashKV({ revision }, connectCallOptions(callOptions));
          return readableRecord({ header: toResponseHeader(response.header), hash: response.hash, compactRevision: response.compactRevision });
        });
      }),

    moveLeader: (endpoint, targetId, callOptions) =>
      call(() => {
        checkMemberId(targetId, "moveLeader: the target member ID");
        return onMember(endpoint, "moveLeader", async (c): Promise<MaintenanceResult> => {
          const response = await c.moveLeader({ targetID: targetId }, connectCallOptions(callOptions));
          return readableRecord({ header: headerIfSent(response.header) });
        });
      }),

    snapshot: (endpoint, target, snapshotOptions) =>
      startSnapshotTask(
        (report) =>
          call(async () => {
            const options = checkSnapshotOptions(snapshotOptions);
            if (typeof target === "string" ? target === "" : typeof (target as Partial<Writable> | undefined)?.write !== "function") {
              throw invalidArgumentError("snapshot: the target must be a file path or a Node.js Writable");
            }
            const member = memberTransport(transport, endpoint, "snapshot");
            return saveSnapshot(await loadNodeModules(), member, target, options, report);
          }),
        // Checked by checkSnapshotOptions before the first progress event; an own property only.
        typeof snapshotOptions === "object" && snapshotOptions !== null && Object.hasOwn(snapshotOptions, "onProgress")
          ? snapshotOptions.onProgress
          : undefined,
      ),
  };
}

/** Runs one API call; whatever it throws leaves as an EtcdError. */
async function call<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toEtcdError(err);
  }
}

/** The header of an answer, or undefined when etcd sent none (3.4 answers Alarm, Defragment and MoveLeader without). */
function headerIfSent(header: RawResponseHeader | undefined): ResponseHeader | undefined {
  return header === undefined ? undefined : toResponseHeader(header);
}
