import { AlarmType, type AlarmMember } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { type MemberId } from "@etcdkit/transport";
import { invalidArgumentError, readableRecord } from "@etcdkit/transport/internal";

/**
 * The kind of an alarm, named after etcd's AlarmType in lower case: "nospace" (the backend
 * reached `--quota-backend-bytes`; writes fail with reason "no-space") or "corrupt" (a
 * corruption check failed). Regenerating against a newer etcd adds its new kinds here. A kind a
 * newer etcd raises that these protos do not name is `alarm-<number>` (its wire value), and
 * disarming it sends that value back.
 *
 * @example
 * ```ts
 * const kind: AlarmName = "nospace";
 * ```
 */
export type AlarmName = Exclude<Lowercase<keyof typeof AlarmType>, "none"> | `alarm-${number}`;

/**
 * An alarm raised by one member.
 *
 * @example
 * ```ts
 * for (const a of await maintenance.alarmList()) console.log(`memberID:${a.memberId} alarm:${a.alarm}`);
 * ```
 */
export interface Alarm {
  readonly memberId: MemberId;
  readonly alarm: AlarmName;
}

/**
 * Converts a generated AlarmMember; the kind is named after etcd's AlarmType in lower case.
 *
 * @example
 * ```ts
 * const alarms = response.alarms.map(toAlarm); // [{ memberId: 0x8e9e…n, alarm: "nospace" }]
 * ```
 */
export function toAlarm(raw: AlarmMember): Alarm {
  const name = AlarmType[raw.alarm] as string | undefined;
  return readableRecord({ memberId: raw.memberID, alarm: (name ?? `alarm-${raw.alarm}`).toLowerCase() as AlarmName });
}

/**
 * The wire value of an alarm kind: a known name, or `alarm-<number>` (a kind unknown to these
 * protos, as `toAlarm` names it) for that positive int32 value. Throws an EtcdError
 * "invalid-argument" for an unknown name or anything that is not a name (a number, or a digit
 * string such as "1").
 *
 * @example
 * ```ts
 * alarmTypeOf("nospace"); // AlarmType.NOSPACE
 * ```
 */
export function alarmTypeOf(name: AlarmName): AlarmType {
  // Only names: the enum also maps numbers back to names (AlarmType[1] === "NOSPACE").
  const key = typeof name === "string" ? name.toUpperCase() : "";
  const numbered = /^ALARM-([1-9][0-9]{0,9})$/.exec(key);
  if (numbered !== null && Number(numbered[1]) <= MAX_INT32) return Number(numbered[1]) as AlarmType;
  const value: unknown = Object.hasOwn(AlarmType, key) ? (AlarmType as unknown as Record<string, unknown>)[key] : undefined;
  if (typeof value !== "number" || value === AlarmType.NONE) {
    const given = typeof name === "string" ? JSON.stringify(name) : `(a name is expected, got ${name === null ? "null" : typeof name})`;
    throw invalidArgumentError(`unknown alarm ${given} (known: ${knownAlarms().join(", ")}, or alarm-<number> for a newer etcd's)`);
  }
  return value;
}

/** Protobuf enums are int32. */
const MAX_INT32 = 2 ** 31 - 1;

function knownAlarms(): string[] {
  return Object.keys(AlarmType)
    .filter((k) => Number.isNaN(Number(k)) && k !== "NONE")
    .map((k) => k.toLowerCase());
}
