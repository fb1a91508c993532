import { inspect } from "node:util";
import { createClient } from "@connectrpc/connect";
import { Compare_CompareResult, Compare_CompareTarget, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { bytesToText, createTransport, isEtcdError, toBytes, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Auth } from "./auth.js";
import { createAuth } from "./create-auth.js";

const ROOT_PASSWORD = "root-Pa55word!";
const READER_PASSWORD = "reader-Pa55word!";

/**
 * Auth against one real etcd, shared by the tests of this file (in order). Tests that enable
 * auth disable it again before they end.
 */
describe("Auth against a real etcd", () => {
  let etcd: EtcdCluster;
  const transports: EtcdTransport[] = [];
  const open = (auth?: { username: string; password: string }): EtcdTransport => {
    const t = createTransport({ endpoints: etcd.endpoints, ...(auth ? { auth } : {}) });
    transports.push(t);
    return t;
  };
  let anonymous: EtcdTransport;
  let auth: Auth;

  beforeAll(async () => {
    etcd = await startEtcd();
    anonymous = open();
    auth = createAuth(anonymous);
  });
  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await etcd?.stop();
  });

  it("users and roles: add, get, list, grant, revoke, change password, delete", async () => {
    await auth.roleAdd("ops");
    await auth.roleAdd("dev");
    await auth.userAdd("carol", "carol-password");
    await auth.userAdd("svc", { noPassword: true });
    await auth.userGrantRole("carol", "ops");
    await auth.userGrantRole("carol", "dev");

    expect((await auth.userGet("carol")).roles).toEqual(["dev", "ops"]);
    expect((await auth.userList()).users).toEqual(["carol", "svc"]);
    expect((await auth.roleList()).roles).toEqual(["dev", "ops"]);

    await auth.userRevokeRole("carol", "dev");
    expect((await auth.userGet("carol")).roles).toEqual(["ops"]);
    await auth.userChangePassword("carol", "new-carol-password");

    const failure = (reason: Parameters<typeof isEtcdError>[1]) => (err: unknown) => isEtcdError(err, reason);
    await expect(auth.userAdd("carol", "again")).rejects.toSatisfy(failure("user-already-exist"));
    await expect(auth.roleAdd("ops")).rejects.toSatisfy(failure("role-already-exist"));
    await expect(auth.userGet("nobody")).rejects.toSatisfy(failure("user-not-found"));
    await expect(auth.roleGet("nothing")).rejects.toSatisfy(failure("role-not-found"));
    await expect(auth.userGrantRole("carol", "nothing")).rejects.toSatisfy(failure("role-not-found"));
    await expect(auth.userRevokeRole("carol", "dev")).rejects.toSatisfy(failure("role-not-granted"));
    await expect(auth.authenticate("carol", "new-carol-password")).rejects.toSatisfy(failure("auth-not-enabled"));
    await expect(auth.enable()).rejects.toSatisfy(failure("root-user-not-exist"));

    await auth.userDelete("carol");
    await auth.userDelete("svc");
    await auth.roleDelete("ops");
    await auth.roleDelete("dev");
    expect((await auth.userList()).users).toEqual([]);
    expect((await auth.roleList()).roles).toEqual([]);
  });

  it("permissions on a key, a range, a prefix and from a key; read, write, readwrite; revoke", async () => {
    await auth.roleAdd("perms");
    await auth.roleGrantPermission("perms", { key: "single", type: "read" });
    await auth.roleGrantPermission("perms", { key: "foo", rangeEnd: "zoo", type: "readwrite" });
    await auth.roleGrantPermission("perms", { prefix: "app/", type: "write" });
    await auth.roleGrantPermission("perms", { fromKey: "zz", type: "read" });

    const shown = (await auth.roleGet("perms")).permissions.map((p) => [p.type, bytesToText(p.key), [...p.rangeEnd]]);
    expect(shown).toEqual(
      expect.arrayContaining([
        ["read", "single", []],
        ["readwrite", "foo", [...toBytes("zoo")]],
        ["write", "app/", [...toBytes("app0")]],
        ["read", "zz", [0]],
      ]),
    );
    expect(shown.length).toBe(4);

    await auth.roleRevokePermission("perms", { prefix: "app/" });
    await auth.roleRevokePermission("perms", { key: "single" });
    await expect(auth.roleRevokePermission("perms", { prefix: "app/" })).rejects.toSatisfy((err) =>
      isEtcdError(err, "permission-not-granted"),
    );
    expect((await auth.roleGet("perms")).permissions.map((p) => bytesToText(p.key)).sort()).toEqual(["foo", "zz"]);

    // The whole key space, as etcdctl's `--prefix ""`.
    await auth.roleGrantPermission("perms", { prefix: "", type: "read" });
    expect((await auth.roleGet("perms")).permissions.some((p) => p.key.length === 1 && p.key[0] === 0 && p.rangeEnd[0] === 0)).toBe(true);
    await auth.roleDelete("perms");
  });

  it("ExampleAuth (Go): a user with readwrite on [foo, zoo) can put foo1 but not write zoo1", async () => {
    await auth.roleAdd("root");
    await auth.userAdd("root", ROOT_PASSWORD);
    await auth.userGrantRole("root", "root");
    await auth.roleAdd("r");
    await auth.roleGrantPermission("r", { key: "foo", rangeEnd: "zoo", type: "readwrite" });
    await auth.userAdd("u", "123-u-password");
    await auth.userGrantRole("u", "r");
    await auth.enable();
    const root = createAuth(open({ username: "root", password: ROOT_PASSWORD }));
    try {
      const kv = createClient(KV, open({ username: "u", password: "123-u-password" }));
      await kv.put({ key: toBytes("foo1"), value: toBytes("bar") });
      const txn = kv.txn({
        compare: [
          {
            key: toBytes("zoo1"),
            target: Compare_CompareTarget.VALUE,
            result: Compare_CompareResult.GREATER,
            targetUnion: { case: "value", value: toBytes("abc") },
          },
        ],
        success: [{ request: { case: "requestPut", value: { key: toBytes("zoo1"), value: toBytes("XYZ") } } }],
        failure: [{ request: { case: "requestPut", value: { key: toBytes("zoo1"), value: toBytes("ABC") } } }],
      });
      const denied = await txn.catch((err: unknown) => err);
      expect(isEtcdError(denied, "permission-denied")).toBe(true);
      expect((denied as Error).message).toContain("etcdserver: permission denied");

      const { permissions } = await root.roleGet("r");
      expect(`user u permission: key "${bytesToText(permissions[0]!.key)}", range end "${bytesToText(permissions[0]!.rangeEnd)}"`).toBe(
        'user u permission: key "foo", range end "zoo"',
      );
    } finally {
      await root.disable();
    }
    await auth.userDelete("u");
    await auth.roleDelete("r");
  });

  it("a read-only user on a prefix reads but gets permission-denied on write; disabling auth restores open access", async () => {
    // root exists from the previous test (auth is off again).
    await auth.roleAdd("reader");
    await auth.roleGrantPermission("reader", { prefix: "ro/", type: "read" });
    await auth.userAdd("reader", READER_PASSWORD);
    await auth.userGrantRole("reader", "reader");
    const kvOpen = createClient(KV, anonymous);
    await kvOpen.put({ key: toBytes("ro/config"), value: toBytes("v1") });
    await auth.enable();

    const root = createAuth(open({ username: "root", password: ROOT_PASSWORD }));
    let disabled = false;
    try {
      const asReader = createClient(KV, open({ username: "reader", password: READER_PASSWORD }));
      const got = await asReader.range({ key: toBytes("ro/config") });
      expect(bytesToText(got.kvs[0]!.value)).toBe("v1");
      await expect(asReader.put({ key: toBytes("ro/config"), value: toBytes("v2") })).rejects.toSatisfy((err) =>
        isEtcdError(err, "permission-denied"),
      );
      await expect(asReader.range({ key: toBytes("other/key") })).rejects.toSatisfy((err) => isEtcdError(err, "permission-denied"));
      // Without a token nothing works while auth is on (etcd 3.4: "user name is empty").
      await expect(kvOpen.put({ key: toBytes("ro/config"), value: toBytes("v3") })).rejects.toSatisfy((err) =>
        isEtcdError(err, "user-empty"),
      );
      // The reader cannot manage auth.
      await expect(createAuth(open({ username: "reader", password: READER_PASSWORD })).disable()).rejects.toSatisfy((err) =>
        isEtcdError(err, "permission-denied"),
      );

      await root.disable();
      disabled = true;
      await kvOpen.put({ key: toBytes("ro/config"), value: toBytes("open again") });
      expect(bytesToText((await kvOpen.range({ key: toBytes("ro/config") })).kvs[0]!.value)).toBe("open again");
    } finally {
      if (!disabled) await root.disable();
    }
  });

  it("a wrong password fails with auth-failed, and the password appears nowhere in the error", async () => {
    const wrong = "Wr0ng-s3cret-for-reader";
    await auth.enable();
    const root = createAuth(open({ username: "root", password: ROOT_PASSWORD }));
    try {
      const direct = await auth.authenticate("reader", wrong).catch((err: unknown) => err);
      const viaTransport = await createClient(KV, open({ username: "reader", password: wrong }))
        .range({ key: toBytes("ro/config") })
        .catch((err: unknown) => err);
      for (const error of [direct, viaTransport]) {
        expect(isEtcdError(error, "auth-failed")).toBe(true);
        const text = [String(error), (error as Error).message, (error as Error).stack, inspect(error, { depth: 10 }), JSON.stringify(error)].join("\n");
        expect(text).not.toContain(wrong);
      }
      // The right password works.
      expect((await auth.authenticate("reader", READER_PASSWORD)).token).not.toBe("");
    } finally {
      await root.disable();
    }
  });

  it("rejects bad arguments before any network I/O, without echoing a password", async () => {
    const offline = createAuth(createTransport({ endpoints: ["http://127.0.0.1:1"] }));
    const invalid = (err: unknown) => isEtcdError(err, "invalid-argument");
    await expect(offline.userAdd("", "pw")).rejects.toSatisfy(invalid);
    await expect(offline.userAdd("x", "")).rejects.toSatisfy(invalid);
    await expect(offline.userAdd("x", { noPassword: false } as never)).rejects.toSatisfy(invalid);
    await expect(offline.roleGrantPermission("r", { key: "", type: "read" })).rejects.toSatisfy((err) => isEtcdError(err, "empty-key"));
    await expect(offline.roleGrantPermission("r", { key: "k", type: "all" as never })).rejects.toSatisfy(invalid);
    await expect(offline.roleGrantPermission("r", { key: "k", prefix: "p", type: "read" } as never)).rejects.toSatisfy(invalid);
    const secret = "s3cret-typed-as-a-name";
    const error = await offline.userChangePassword("x", 42 as unknown as string).catch((err: unknown) => err);
    expect(invalid(error)).toBe(true);
    const named = await offline.authenticate(secret, "").catch((err: unknown) => err);
    expect(invalid(named)).toBe(true);
    expect(String(named)).not.toContain(secret);
  });
});
