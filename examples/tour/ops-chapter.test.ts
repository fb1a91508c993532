import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opsChapter } from "./ops-chapter.js";
import { createTourContext } from "./tour-context.js";

describe("the tour's operations chapter, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("lists members, finds the leader, shows status and hashKV, snapshots with progress, and grants a prefix", async () => {
    const lines: string[] = [];
    const ctx = createTourContext(cluster.endpoints, (line) => lines.push(line));
    await opsChapter(ctx);
    const suffix = ctx.prefix.split("/").filter(Boolean).pop()!;
    const end = ctx.prefix.slice(0, -1) + "0"; // the prefix's range end: "/" + 1 = "0"

    expect(lines[0]).toBe("— operations: cluster, maintenance, auth —");
    expect(lines[1]).toBe("members: 1 (member-0)");
    expect(lines[2]).toMatch(/^leader: member-0 \(id [0-9a-f]{1,16}\)$/);
    expect(lines[3]).toMatch(/^status of member-0: etcd 3\.4\.23, leader, raft term \d+, db \d+ bytes \(\d+ in use\)$/);
    expect(lines[4]).toMatch(/^hashKV of member-0 at revision 1: [0-9a-f]{8}$/);
    const snapshot = /^snapshot: (\d+) bytes, (\d+) progress events \(last (\d+)\/(\d+) bytes\), sha256 [0-9a-f]{16}…$/.exec(lines[5]!);
    expect(snapshot, lines[5]).not.toBeNull();
    const [, bytes, events, lastBytes, lastTotal] = snapshot!.map(Number);
    expect(events).toBeGreaterThan(0);
    expect(lastBytes).toBe(bytes);
    expect(lastTotal).toBe(bytes);
    expect(lines[6]).toBe(
      `role etcdkit-tour-reader-${suffix} may read [${ctx.prefix}, ${end}); user etcdkit-tour-user-${suffix} has roles etcdkit-tour-reader-${suffix}`,
    );
    expect(lines.length).toBe(7);
  });
});
