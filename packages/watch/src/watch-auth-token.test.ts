/**
 * Auth tokens on the watch stream, against a real etcd: a stream opened while auth was off
 * carries no token; once auth is enabled etcd refuses creates on it with "user name is empty",
 * and the watch re-opens the stream with a fresh token instead of failing (as the unary path and
 * Go's client do). Without credentials, the refusal ends the watch (once, no endless re-opens).
 */
import { createClient } from "@connectrpc/connect";
import { Auth, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport, isEtcdError, toBytes } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
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
});
