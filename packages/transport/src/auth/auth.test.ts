import { createClient } from "@connectrpc/connect";
import { Auth, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, sleep, timed } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";

const PASSWORD = "s3cret-Pa55word-42";
const WRONG_PASSWORD = "wrong-Pa55word-never-shown";

describe("auth", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    // Simple tokens (etcd's default) expire after --auth-token-ttl seconds without use.
    cluster = await startEtcd({ flags: ["--auth-token-ttl=2"] });
    await using setup = createTransport({ endpoints: cluster.endpoints });
    const auth = createClient(Auth, setup);
    await auth.roleAdd({ name: "root" }).catch(() => {}); // exists on some versions
    await auth.userAdd({ name: "root", password: PASSWORD });
    await auth.userGrantRole({ user: "root", role: "root" });
    await auth.authEnable({});
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("without credentials, calls are rejected by etcd", async () => {
    await using anonymous = createTransport({ endpoints: cluster.endpoints });
    const err = await createClient(KV, anonymous).range({ key: bytes("k") }).catch((e: unknown) => e);
    expect(isEtcdError(err)).toBe(true);
    expect(isEtcdError(err, ["user-empty", "permission-denied", "invalid-auth-token"])).toBe(true);
  });

  it("authenticates once for concurrent calls and sends the token", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: PASSWORD } });
    const kv = createClient(KV, transport);
    await Promise.all(Array.from({ length: 10 }, (_, i) => kv.put({ key: bytes(`auth/${i}`), value: bytes("v") })));
    expect(transport.stats.authentications).toBe(1);
    const range = await kv.range({ key: bytes("auth/"), rangeEnd: bytes("auth0") });
    expect(range.count).toBe(10n);
    expect(transport.stats.authentications).toBe(1);
  });

  it("re-authenticates exactly once after the token expired, and the call succeeds", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: PASSWORD } });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("k") });
    expect(transport.stats.authentications).toBe(1);
    await sleep(4000); // > --auth-token-ttl=2 without use
    const range = await timed(() => kv.put({ key: bytes("after-expiry"), value: bytes("v") }));
    expect(range.error).toBeUndefined();
    expect(transport.stats.authentications).toBe(2);
  });

  it("a wrong password fails at once with auth-failed, without the password anywhere", async () => {
    await using transport = createTransport({
      endpoints: cluster.endpoints,
      auth: { username: "root", password: WRONG_PASSWORD },
    });
    const result = await timed(() => createClient(KV, transport).range({ key: bytes("k") }, { timeoutMs: 5000 }));
    expect(isEtcdError(result.error, "auth-failed")).toBe(true);
    // At once: not retried until the 5 s deadline (bcrypt on a busy machine can take a second).
    expect(result.ms).toBeLessThan(4000);
    expect(transport.stats.authentications).toBe(1); // not retried
    const err = result.error as Error & { cause?: unknown };
    const seen = [err.message, String(err), err.stack ?? "", JSON.stringify(err), String(err.cause), JSON.stringify(err.cause ?? null)];
    for (const text of seen) expect(text).not.toContain(WRONG_PASSWORD);
  });

  it("streams get a token before they open", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: PASSWORD } });
    const { Watch } = await import("@etcdkit/api/etcdserverpb/rpc_pb");
    const requests = (async function* () {
      yield { requestUnion: { case: "createRequest" as const, value: { key: bytes("auth/stream") } } };
      await new Promise(() => {});
    })();
    const controller = new AbortController();
    let created = false;
    for await (const response of createClient(Watch, transport).watch(requests, { signal: controller.signal })) {
      created = response.created;
      break;
    }
    expect(created).toBe(true);
    expect(transport.stats.authentications).toBe(1);
  });
});
