import { AlarmRequest_AlarmAction } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport } from "@etcdkit/transport";
import { describe, expect, it } from "vitest";
import { alarmTypeOf, toAlarm } from "./alarm.js";
import { createMaintenance } from "./create-maintenance.js";
import { startFakeAlarmServer } from "./fake-alarm-server.test-helpers.js";

/** A newer etcd may raise an alarm type the vendored protos do not name (here 9). */
describe("an alarm type unknown to this SDK", () => {
  it("is listed as alarm-<number> and passed through by alarmDisarm", async () => {
    await using server = await startFakeAlarmServer([{ memberID: 7n, alarm: 9 }]);
    await using transport = createTransport({ endpoints: [server.url] });
    const maintenance = createMaintenance(transport);
    const [alarm] = await maintenance.alarmList({ timeoutMs: 5000 });
    expect(alarm).toEqual({ memberId: 7n, alarm: "alarm-9" });
    expect(await maintenance.alarmDisarm(alarm!, { timeoutMs: 5000 })).toEqual([{ memberId: 7n, alarm: "alarm-9" }]);
    const disarm = server.requests.at(-1)!;
    expect([disarm.action, disarm.memberID, disarm.alarm]).toEqual([AlarmRequest_AlarmAction.DEACTIVATE, 7n, 9]);
    expect(await maintenance.alarmList()).toEqual([]);
  });

  it("alarmDisarmAll disarms it with the known ones", async () => {
    await using server = await startFakeAlarmServer([
      { memberID: 7n, alarm: 9 },
      { memberID: 8n, alarm: 1 },
    ]);
    await using transport = createTransport({ endpoints: [server.url] });
    const maintenance = createMaintenance(transport);
    const disarmed = await maintenance.alarmDisarmAll({ timeoutMs: 5000 });
    expect(disarmed).toEqual([
      { memberId: 7n, alarm: "alarm-9" },
      { memberId: 8n, alarm: "nospace" },
    ]);
    expect(await maintenance.alarmList()).toEqual([]);
  });

  it("round-trips through toAlarm and alarmTypeOf; malformed numbered names are still refused", () => {
    expect(alarmTypeOf(toAlarm({ memberID: 1n, alarm: 9 } as never).alarm)).toBe(9);
    for (const bad of ["alarm-", "alarm-x", "alarm-1.5", "alarm--1", "alarm-0", "alarm-2147483648", "alarm-09"]) {
      expect(() => alarmTypeOf(bad as never)).toThrow(/unknown alarm/);
    }
  });
});
