import { createClient } from "@connectrpc/connect";
import { Auth, KV, Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster, type EtcdMember } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, sleep } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";

const PASSWORD = "lagging-Pa55word";
const auth = { username: "root", password: PASSWORD };
/** How late raft traffic reaches (and leaves) the lagging follower. */
const LAG_MS = 2500;

/** Blocks the event loop (a busy process) for `ms`. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/** The call ended at its deadline, and the lagging member's "invalid auth token" was read before the timer ran. */
function expectLateRejection(outcome: unknown): void {
  expect(isEtcdError(outcome, "deadline-exceeded"), String(outcome)).toBe(true);
  expect(isEtcdError((outcome as Error).cause, "invalid-auth-token"), String((outcome as Error).cause)).toBe(true);
}

/**
 * etcd registers a simple token on each member when that member applies the Authenticate entry.
 * A follower that lags behind the leader does not know a token the leader just issued: etcd 3.4
 * holds a call carrying it until the follower applied the entry, or until the call's deadline,
 * and then answers "invalid auth token". That answer is read before the client's own deadline
 * timer runs when the client's event loop is busy at that moment (simulated with `busy`); the
 * call reports its deadline then, with the answer as the cause, and the token must survive it.
 */
describe("a fresh token on a member that has not applied its Authenticate yet (three members, auth)", () => {
  let cluster: EtcdCluster;
  let leader: EtcdMember;
  let follower: EtcdMember;

  beforeAll(async () => {
    // --pre-vote: the lagging follower's elections cannot disrupt the others.
    cluster = await startEtcd({ members: 3, peerProxy: true, flags: ["--pre-vote"] });
    await using setup = createTransport({ endpoints: cluster.clientUrls });
    const client = createClient(Auth, setup);
    await client.roleAdd({ name: "root" }).catch(() => {});
    await client.userAdd({ name: "root", password: PASSWORD });
    await client.userGrantRole({ user: "root", role: "root" });
    await client.authEnable({});
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(async () => {
    for (const i of cluster.members.keys()) await cluster.heal(i);
  });

  /** Finds the leader and makes one follower apply everything LAG_MS late. */
  async function lagFollower(): Promise<void> {
    for (const m of cluster.members) {
      await using t = createTransport({ endpoints: [m.clientUrl], auth });
      const status = await createClient(Maintenance, t).status({}, { timeoutMs: 5000 });
      if (status.leader === status.header?.memberId) leader = m;
    }
    follower = cluster.members.find((m) => m !== leader)!;
    await cluster.lag(cluster.members.indexOf(follower), LAG_MS);
  }

  /** Ends the lag and waits until the follower has applied everything the leader has. */
  async function caughtUp(): Promise<void> {
    await cluster.heal(cluster.members.indexOf(follower));
    await using t = createTransport({ endpoints: [leader.clientUrl, follower.clientUrl] });
    for (let tries = 0; tries < 100; tries++) {
      const [l, f] = await Promise.all(
        [leader, follower].map((m) => createClient(Maintenance, t.forEndpoint(m.clientUrl)).status({}, { timeoutMs: 5000 })),
      );
      if (f!.raftAppliedIndex >= l!.raftAppliedIndex) return;
      await sleep(100);
    }
    throw new Error("the follower did not catch up");
  }

  it("a unary call the lagging member rejects: the token is kept (no second Authenticate) and works there later", async () => {
    await lagFollower();
    await using transport = createTransport({ endpoints: [leader.clientUrl], auth });
    // Authenticate on the leader, then one call with the token.
    await createClient(KV, transport).range({ key: bytes("lag/k"), serializable: true }, { timeoutMs: 30_000 });
    expect(transport.stats.authentications).toBe(1);

    const onFollower = createClient(KV, transport.forEndpoint(follower.clientUrl));
    const pending = onFollower.range({ key: bytes("lag/k"), serializable: true }, { timeoutMs: 800 }).then(
      () => "answered",
      (e: unknown) => e,
    );
    setTimeout(() => busy(1000), 600); // busy from 600 ms to 1600 ms: etcd's answer comes first
    const outcome = await pending;
    expect(transport.stats.authentications).toBe(1);
    expectLateRejection(outcome);

    await caughtUp();
    await onFollower.range({ key: bytes("lag/k"), serializable: true }, { timeoutMs: 5000 });
    await createClient(KV, transport).range({ key: bytes("lag/k") }, { timeoutMs: 5000 });
    expect(transport.stats.authentications).toBe(1);
  });

  it("a stream the lagging member rejects: the token is kept for the calls after it", async () => {
    await lagFollower();
    await using transport = createTransport({ endpoints: [leader.clientUrl], auth });
    await createClient(KV, transport).range({ key: bytes("lag/k"), serializable: true }, { timeoutMs: 30_000 });
    expect(transport.stats.authentications).toBe(1);

    // Snapshot checks the token when the stream opens.
    const snapshot = createClient(Maintenance, transport.forEndpoint(follower.clientUrl)).snapshot({}, { timeoutMs: 800 });
    const pending = (async () => {
      for await (const _ of snapshot) {
        // the follower sends nothing before it knows the token
      }
    })().then(
      () => "completed",
      (e: unknown) => e,
    );
    setTimeout(() => busy(1000), 600);
    const outcome = await pending;
    expectLateRejection(outcome);

    await createClient(KV, transport).range({ key: bytes("lag/k") }, { timeoutMs: 10_000 });
    expect(transport.stats.authentications).toBe(1);
    await caughtUp();
  });
});
