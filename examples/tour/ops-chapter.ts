/**
 * A chapter of the tour: operating a cluster with @etcdkit/cluster, @etcdkit/maintenance and
 * @etcdkit/auth. Members and the leader, a member's status and key-space hash, a snapshot to a
 * temp file with progress, and a user whose role may only read one prefix. Everything it creates
 * (the snapshot file, the user and role) is removed again, so it is safe on a cluster you run.
 *
 * @example
 * await opsChapter(ctx);
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuth } from "@etcdkit/auth";
import { createCluster, formatMemberId } from "@etcdkit/cluster";
import { createMaintenance } from "@etcdkit/maintenance";
import { bytesToText, createTransport } from "@etcdkit/transport";
import type { TourContext } from "./tour-context.js";

export async function opsChapter(ctx: TourContext): Promise<void> {
  ctx.say("— operations: cluster, maintenance, auth —");
  const transport = createTransport({ endpoints: ctx.endpoints });
  // Calls about one member (status, hashKV, snapshot, ...) go over the transport's connection to it.
  const cluster = createCluster(transport);
  const maintenance = createMaintenance(transport);
  const auth = createAuth(transport);
  const dir = await mkdtemp(join(tmpdir(), "etcdkit-tour-"));
  try {
    const { members } = await cluster.memberList();
    ctx.say(`members: ${members.length} (${members.map((m) => m.name).join(", ")})`);
    const leader = await cluster.leader();
    ctx.say(`leader: ${leader.name} (id ${formatMemberId(leader.id)})`);

    const endpoint = leader.clientUrls[0]!;
    const status = await maintenance.status(endpoint);
    ctx.say(
      `status of ${leader.name}: etcd ${status.version}, ${status.isLeader ? "leader" : "follower"}, ` +
        `raft term ${status.raftTerm}, db ${status.dbSize} bytes (${status.dbSizeInUse} in use)`,
    );
    const hashKV = await maintenance.hashKV(endpoint);
    ctx.say(`hashKV of ${leader.name} at revision ${hashKV.header.revision}: ${hashKV.hash.toString(16).padStart(8, "0")}`);

    const file = join(dir, "etcd-snapshot.db");
    const snapshot = maintenance.snapshot(endpoint, file);
    let events = 0;
    let last = "";
    for await (const { bytes, totalBytes } of snapshot) {
      events++;
      last = `${bytes}/${totalBytes ?? "?"} bytes`;
    }
    const { bytes, sha256 } = await snapshot;
    ctx.say(`snapshot: ${bytes} bytes, ${events} progress events (last ${last}), sha256 ${sha256.slice(0, 16)}…`);

    const suffix = ctx.prefix.split("/").filter(Boolean).pop() ?? "tour";
    const role = `etcdkit-tour-reader-${suffix}`;
    const user = `etcdkit-tour-user-${suffix}`;
    await auth.roleAdd(role);
    try {
      await auth.roleGrantPermission(role, { prefix: ctx.prefix, type: "read" });
      await auth.userAdd(user, randomBytes(12).toString("base64url"));
      try {
        await auth.userGrantRole(user, role);
        const [permission] = (await auth.roleGet(role)).permissions;
        ctx.say(
          `role ${role} may ${permission!.type} [${bytesToText(permission!.key)}, ${bytesToText(permission!.rangeEnd)})` +
            `; user ${user} has roles ${(await auth.userGet(user)).roles.join(", ")}`,
        );
      } finally {
        await auth.userDelete(user);
      }
    } finally {
      await auth.roleDelete(role);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await transport.close();
  }
}
