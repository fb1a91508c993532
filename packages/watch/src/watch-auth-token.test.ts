/**
 * Auth tokens on the watch stream, against a real etcd: a stream opened while auth was off
 * carries no token; once auth is enabled etcd refuses creates on it with "user name is empty",
 * and the watch re-opens the stream with a fresh token instead of failing (as the unary path and
 * Go's client do). Without credentials, the refusal ends the watch (once, no endless re-opens).
 * A token that expires while the stream cannot reach etcd is replaced when it can again.
 */
import { createClient } from "@connectrpc/connect";
import { Auth, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport, isEtcdError, toBytes } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWatch } from "./create-watch.js";
import { collectEvents } from "./watch-test-env.test-helpers.js";

describe("watch auth tokens when auth is enabled under an open stream (real etcd)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("a create refused with user-empty re-opens the stream with a token; without credentials it ends the watch", async () => {
    const admin = createTransport({ endpoints: cluster.endpoints });
    const auth = createClient(Auth, admin);
    await auth.userAdd({ name: "root", password: "root-pw" });
    await auth.userGrantRole({ user: "root", role: "root" });

    // Credentials while auth is off: calls (and the watch stream) go without a token.
    const transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: "root-pw" } });
    const anonymous = createTransport({ endpoints: cluster.endpoints });
    const watcher = createWatch(transport);
    const anonymousWatcher = createWatch(anonymous);
    const first = watcher.watch("auth/first");
    const anonymousFirst = anonymousWatcher.watch("auth/anonymous-first");
    await Promise.all([first.ready, anonymousFirst.ready]);
    const opened = watcher.stats.streamsOpened;

    await auth.authEnable({});
    const second = watcher.watch("auth/second");
    await second.ready; // refused once ("user name is empty"); registered on a stream with a token
    expect(watcher.stats.streamsOpened).toBeGreaterThan(opened);

    const root = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: "root-pw" } });
    const { header } = await createClient(KV, root).put({ key: toBytes("auth/second"), value: toBytes("v") });
    const [batch] = await collectEvents(second, 1);
    expect(batch!.revision).toBe(header!.revision);

    // No credentials: re-opening cannot help; the watch ends with the server's reason.
    const anonymousOpened = anonymousWatcher.stats.streamsOpened;
    const refused = anonymousWatcher.watch("auth/anonymous-second");
    const error = await refused.ready.catch((e: unknown) => e);
    expect(isEtcdError(error, "user-empty"), String(error)).toBe(true);
    expect(anonymousWatcher.stats.streamsOpened - anonymousOpened).toBeLessThanOrEqual(1);

    await watcher.close();
    await anonymousWatcher.close();
    await Promise.all([transport.close(), anonymous.close(), root.close(), admin.close()]);
  });

  it("a watch created while its stream is cut off outlives the expired token, and later watches work", async () => {
    // Three members: the token is issued by one member, and a refusal by another within a few
    // seconds of that is first taken for "not applied there yet" (see TokenSource.mayBeUnapplied).
    await using expiring = await startEtcd({ members: 3, proxy: true, flags: ["--auth-token-ttl=2"] });
    {
      await using setup = createTransport({ endpoints: expiring.clientUrls });
      const auth = createClient(Auth, setup);
      await auth.userAdd({ name: "root", password: "root-pw" });
      await auth.userGrantRole({ user: "root", role: "root" });
      await auth.authEnable({});
    }
    const credentials = { username: "root", password: "root-pw" };
    await using transport = createTransport({ endpoints: expiring.endpoints, auth: credentials });
    await using writer = createTransport({ endpoints: expiring.clientUrls, auth: credentials });
    const watcher = createWatch(transport);
    const first = watcher.watch("expiring/k");
    await first.ready;
    const cutOff = (mode: "blackhole" | "pass"): void => {
      for (const member of expiring.members) member.proxy!.setMode(mode);
    };
    cutOff("blackhole");
    const second = watcher.watch("expiring/k"); // its create waits on the stream, behind the blackhole
    await sleep(3500); // the token (TTL 2 s, unused meanwhile) expires
    cutOff("pass"); // etcd receives the create with the expired token and refuses it
    await second.ready;
    await sleep(2500); // the token that replaced it expires too
    const later = watcher.watch("expiring/k");
    await later.ready;

    const { header } = await createClient(KV, writer).put({ key: toBytes("expiring/k"), value: toBytes("v") });
    for (const w of [first, second, later]) {
      const [batch] = await collectEvents(w, 1);
      expect(batch!.revision).toBe(header!.revision);
    }
    await watcher.close();
  });
});
