import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, isEtcdError, toBytes, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMaintenance } from "./create-maintenance.js";
import type { Maintenance } from "./maintenance.js";

const QUOTA_BYTES = 4 * 1024 * 1024;
const VALUE = new Uint8Array(512 * 1024).fill(0x61); // ~8 writes reach the quota
const KEY = toBytes("/alarm-test/fill");

/**
 * The NOSPACE alarm, end to end: an etcd with a 4 MiB backend quota is written to until it
 * refuses with "no-space"; then the documented recovery (compact, defragment, disarm) makes
 * writes work again.
 */
describe("alarms against a real etcd with a small backend quota", () => {
  let etcd: EtcdCluster;
  let transport: EtcdTransport;
  let maintenance: Maintenance;
  let kv: ReturnType<typeof createClient<typeof KV>>;

  beforeAll(async () => {
    etcd = await startEtcd({ flags: [`--quota-backend-bytes=${QUOTA_BYTES}`] });
    transport = createTransport({ endpoints: etcd.endpoints });
    maintenance = createMaintenance(transport);
    kv = createClient(KV, transport);
  });
  afterAll(async () => {
    await transport?.close();
    await etcd?.stop();
  });

  /** Overwrites one key with 512 KiB values until etcd says "no-space"; returns the writes done. */
  async function fillUntilNoSpace(): Promise<number> {
    for (let writes = 0; writes < 100; writes++) {
      try {
        await kv.put({ key: KEY, value: VALUE });
      } catch (err) {
        if (isEtcdError(err, "no-space")) return writes;
        throw err;
      }
    }
    throw new Error("the quota was never reached");
  }

  /** etcd's documented recovery: compact away old revisions, defragment, then disarm. */
  async function reclaimSpace(): Promise<void> {
    const { header } = await kv.range({ key: KEY, countOnly: true });
    await kv.compact({ revision: header!.revision, physical: true });
    await maintenance.defragment(etcd.endpoints[0]!, { timeoutMs: 30_000 });
  }

  it("writes fail with no-space once the quota is reached; compact + defragment + disarm one alarm restores them", async () => {
    const writes = await fillUntilNoSpace();
    expect(writes).toBeGreaterThan(2);

    const alarms = await maintenance.alarmList();
    const { memberId } = await maintenance.status(etcd.endpoints[0]!);
    expect(alarms).toEqual([{ memberId, alarm: "nospace" }]);
    const status = await maintenance.status(etcd.endpoints[0]!);
    expect(status.errors.join(" ")).toMatch(/NOSPACE/);

    // Every write is refused with the typed reason while the alarm is active, even a tiny one.
    const refused = await kv.put({ key: toBytes("/alarm-test/tiny"), value: toBytes("x") }).catch((err: unknown) => err);
    expect(isEtcdError(refused, "no-space")).toBe(true);
    // Reads still work.
    expect((await kv.range({ key: KEY, countOnly: true })).count).toBe(1n);

    await reclaimSpace();
    // Still refused: the alarm stays until it is disarmed.
    await expect(kv.put({ key: toBytes("/alarm-test/tiny"), value: toBytes("x") })).rejects.toSatisfy((err) =>
      isEtcdError(err, "no-space"),
    );
    const smaller = await maintenance.status(etcd.endpoints[0]!);
    expect(smaller.dbSize).toBeLessThan(QUOTA_BYTES);

    expect(await maintenance.alarmDisarm(alarms[0]!)).toEqual(alarms);
    expect(await maintenance.alarmList()).toEqual([]);
    await kv.put({ key: toBytes("/alarm-test/tiny"), value: toBytes("works again") });
    expect((await maintenance.status(etcd.endpoints[0]!)).errors).toEqual([]);
  });

  it("alarmDisarmAll disarms every active alarm", async () => {
    await fillUntilNoSpace();
    const active = await maintenance.alarmList();
    expect(active.map((a) => a.alarm)).toEqual(["nospace"]);
    await reclaimSpace();
    expect(await maintenance.alarmDisarmAll()).toEqual(active);
    expect(await maintenance.alarmList()).toEqual([]);
    await kv.put({ key: KEY, value: toBytes("small") });
  });
});
