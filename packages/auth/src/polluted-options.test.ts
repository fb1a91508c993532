import { startEtcd, withPollutedPrototype, type EtcdCluster } from "@etcdkit/testing";
import { bytesToText, createTransport, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth } from "./create-auth.js";
import type { Auth } from "./auth.js";

/**
 * Permission specs and the password argument are read from own properties only: a polluted
 * Object.prototype can neither widen a permission nor create a user without a password.
 */
describe("auth arguments with a polluted Object.prototype", () => {
  let etcd: EtcdCluster;
  let transport: EtcdTransport;
  let auth: Auth;
  beforeAll(async () => {
    etcd = await startEtcd();
    transport = createTransport({ endpoints: etcd.endpoints });
    auth = createAuth(transport);
  });
  afterAll(async () => {
    await transport?.close();
    await etcd?.stop();
  });

  it("roleGrantPermission grants the one key given, with the type given", async () => {
    await auth.roleAdd("polluted-role");
    await withPollutedPrototype({ rangeEnd: "\0" }, () =>
      auth.roleGrantPermission("polluted-role", { key: "config", type: "read" }),
    );
    const typeless = await withPollutedPrototype({ type: "readwrite" }, () =>
      auth.roleGrantPermission("polluted-role", { key: "secrets" } as never),
    ).catch((e: { reason?: string }) => e.reason);
    expect(typeless).toBe("invalid-argument");
    const { permissions } = await auth.roleGet("polluted-role");
    expect(permissions.map((p) => [p.type, bytesToText(p.key), bytesToText(p.rangeEnd)])).toEqual([["read", "config", ""]]);
  });

  it("userAdd(name, {}) is refused, not a user without a password", async () => {
    const outcome = await withPollutedPrototype({ noPassword: true }, () => auth.userAdd("polluted-user", {} as never)).catch(
      (e: { reason?: string }) => e.reason,
    );
    expect(outcome).toBe("invalid-argument");
    expect((await auth.userList()).users).not.toContain("polluted-user");
  });
});
