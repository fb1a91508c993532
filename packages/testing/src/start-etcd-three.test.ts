import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEtcd, type EtcdCluster } from "./etcd-cluster.js";
import { probeHealth } from "./health-check.js";
import { requestText } from "./http-json.js";
import { fetchMemberList } from "./member-list.js";

function expectPidGone(pid: number): void {
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
}

async function memberNames(clientUrl: string): Promise<string[]> {
  return (await fetchMemberList(clientUrl)).map((m) => m.name).sort();
}

describe("startEtcd with three members", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("starts three healthy members that form one cluster", async () => {
    expect(cluster.members.map((m) => m.name)).toEqual(["member-0", "member-1", "member-2"]);
    expect(new Set(cluster.clientUrls).size).toBe(3);
    for (const url of cluster.clientUrls) {
      expect((await probeHealth(url)).healthy).toBe(true);
      expect(await memberNames(url)).toEqual(["member-0", "member-1", "member-2"]);
    }
  });

  it("kill(i) stops one member while the others keep serving", async () => {
    const m = cluster.members[2]!;
    const pid = m.pid!;
    await cluster.kill(2);
    expectPidGone(pid);
    expect(m.running).toBe(false);
    expect(m.pid).toBeUndefined();
    await expect(requestText(`${m.clientUrl}/health`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await cluster.waitHealthy(); // every running member: 0 and 1 still have quorum
    expect(await memberNames(cluster.clientUrls[0]!)).toHaveLength(3);
    await expect(cluster.waitHealthy(2, 1_000)).rejects.toThrow(/member-2 .* is not running \(last exit: signal SIGKILL\)/);
    await cluster.kill(2); // no-op when already dead
  });

  it("restart(i) brings the member back on the same ports and data dir", async () => {
    const m = cluster.members[2]!;
    await cluster.restart(2);
    expect(m.running).toBe(true);
    expect(m.pid).toBeGreaterThan(0);
    expect((await probeHealth(m.clientUrl)).healthy).toBe(true);
    expect(await memberNames(m.clientUrl)).toEqual(["member-0", "member-1", "member-2"]);
    expect(m.logs()).toContain("--- etcdkit: restarting member-2 ---");
  });

  it("pause(i) freezes a member until resume(i)", async () => {
    const m = cluster.members[1]!;
    cluster.pause(1);
    expect(m.paused).toBe(true);
    expect(m.running).toBe(true);
    await expect(requestText(`${m.clientUrl}/health`, { timeoutMs: 500 })).rejects.toThrow(/timed out after 500 ms/);
    await cluster.waitHealthy(0);
    cluster.resume(1);
    expect(m.paused).toBe(false);
    await cluster.waitHealthy(1);
    expect((await probeHealth(m.clientUrl)).healthy).toBe(true);
  });

  it("waitHealthy() times out with the member's logs when quorum is lost", async () => {
    await Promise.all([cluster.kill(1), cluster.kill(2)]);
    const error = await cluster.waitHealthy(0, 700).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/etcd member-0 \(http:\/\/127\.0\.0\.1:\d+\) not healthy after 700 ms/);
    expect((error as Error).message).toContain("--- last log lines of member-0");
    await Promise.all([cluster.restart(1), cluster.restart(2)]);
    await cluster.waitHealthy();
  });

  it("kill(i, 'SIGTERM') also ends a paused member", async () => {
    const pid = cluster.members[0]!.pid!;
    await expect(cluster.kill(0, "SIGSTOP")).rejects.toThrow(/use pause\(\)\/resume\(\)/);
    cluster.pause(0);
    await cluster.kill(0, "SIGTERM");
    expectPidGone(pid);
    await cluster.restart(0);
    expect(cluster.members[0]!.paused).toBe(false);
  });

  it("stop() ends paused members and removes everything", async () => {
    const pids = cluster.members.map((m) => m.pid!);
    cluster.pause(0);
    cluster.pause(2);
    // (No timing bound: under load one run took 2 s; the pids below are what stop() must end.)
    await cluster.stop();
    for (const pid of pids) expectPidGone(pid);
    expect(existsSync(cluster.root)).toBe(false);
    expect(() => cluster.pause(0)).toThrow(/not running/);
  });
});
