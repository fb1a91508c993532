import { AlarmType, type AlarmMember } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { invalidArgumentError, type MemberId } from "@etcdkit/transport";

/**
 * The kind of an alarm, named after etcd's AlarmType in lower case: "nospace" (the backend
 * reached `--quota-backend-bytes`; writes fail with reason "no-space") or "corrupt" (a
 * corruption check failed). Regenerating against a newer etcd adds its new kinds here.
 *
 * @example
 * ```ts
 * const kind: AlarmName = "nospace";
 * ```
 */
export type AlarmName = Exclude<Lowercase<keyof typeof AlarmType>, "none">;

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
  return { memberId: raw.memberID, alarm: (name ?? `alarm-${raw.alarm}`).toLowerCase() as AlarmName };
}

/**
 * The wire value of an alarm kind. Throws an EtcdError "invalid-argument" for an unknown name or
 * anything that is not a name (a number, or a digit string such as "1").
 *
 * @example
 * ```ts
 * alarmTypeOf("nospace"); // AlarmType.NOSPACE
 * ```
 */
export function alarmTypeOf(name: AlarmName): AlarmType {
  // Only names: the enum also maps numbers back to names (AlarmType[1] === "NOSPACE").
  const key = typeof name === "string" ? name.toUpperCase() : "";
  const value: unknown = Object.hasOwn(AlarmType, key) ? (AlarmType as unknown as Record<string, unknown>)[key] : undefined;
  if (typeof value !== "number" || value === AlarmType.NONE) {
    const given = typeof name === "string" ? JSON.stringify(name) : `(a name is expected, got ${name === null ? "null" : typeof name})`;
    throw invalidArgumentError(`unknown alarm ${given} (known: ${knownAlarms().join(", ")})`);
  }
  return value;
}

function knownAlarms(): string[] {
  return Object.keys(AlarmType)
    .filter((k) => Number.isNaN(Number(k)) && k !== "NONE")
    .map((k) => k.toLowerCase());
}
