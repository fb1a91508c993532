import { create } from "@bufbuild/protobuf";
import { AuthRoleGrantPermissionResponseSchema, AuthRoleRevokePermissionResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { bytesToText, isEtcdError } from "@etcdkit/transport";
import { createRecordingTransport, type RecordedCall } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { createAuth } from "./create-auth.js";

/** A Transport that records every call and answers it with `respond`, or fails it; no I/O. */

const invalid = (err: unknown) => isEtcdError(err, "invalid-argument");
const bad = (value: unknown): never => value as never;

/** The `[key, rangeEnd)` a recorded grant or revoke sent, as text. */
function sentRange(call: RecordedCall): [string, string] {
  const input = call.input as { perm?: { key: Uint8Array; rangeEnd: Uint8Array }; key?: Uint8Array; rangeEnd?: Uint8Array };
  const range = input.perm ?? input;
  return [bytesToText(range.key!), bytesToText(range.rangeEnd!)];
}

describe("auth input validation (no I/O)", () => {
  it("grant and revoke reject a rangeEnd given with prefix or fromKey instead of dropping it", async () => {
    const transport = createRecordingTransport();
    const auth = createAuth(transport);
    for (const range of [{ prefix: "app/", rangeEnd: "b" }, { fromKey: "m", rangeEnd: "z" }, { prefix: "", rangeEnd: "" }]) {
      await expect(auth.roleGrantPermission("r", bad({ ...range, type: "read" }))).rejects.toSatisfy(invalid);
      await expect(auth.roleRevokePermission("r", bad(range))).rejects.toSatisfy(invalid);
    }
    expect(transport.calls).toHaveLength(0);
  });

  it("grant rejects an empty range (rangeEnd at or before key), which etcd 3.4 would store granting nothing", async () => {
    const transport = createRecordingTransport();
    const auth = createAuth(transport);
    await expect(auth.roleGrantPermission("r", { key: "zoo", rangeEnd: "foo", type: "read" })).rejects.toSatisfy(invalid);
    await expect(auth.roleGrantPermission("r", { key: "k", rangeEnd: "k", type: "read" })).rejects.toSatisfy(invalid);
    await expect(auth.roleGrantPermission("r", { key: "ab", rangeEnd: "a", type: "read" })).rejects.toSatisfy(invalid);
    expect(transport.calls).toHaveLength(0);
  });

  it("still grants ranges, single keys and open ends, and revokes any range so a stored empty one can be removed", async () => {
    const transport = createRecordingTransport((call) =>
      call.method === "RoleGrantPermission"
        ? create(AuthRoleGrantPermissionResponseSchema, {})
        : create(AuthRoleRevokePermissionResponseSchema, {}),
    );
    const auth = createAuth(transport);
    await auth.roleGrantPermission("r", { key: "foo", rangeEnd: "zoo", type: "readwrite" });
    await auth.roleGrantPermission("r", { key: "k", type: "read" });
    await auth.roleGrantPermission("r", { key: "k", rangeEnd: "", type: "read" });
    await auth.roleGrantPermission("r", { key: "m", rangeEnd: "\0", type: "read" });
    await auth.roleGrantPermission("r", { prefix: "app/", type: "read" });
    await auth.roleRevokePermission("r", { key: "zoo", rangeEnd: "foo" });
    expect(transport.calls.map(sentRange)).toEqual([
      ["foo", "zoo"],
      ["k", ""],
      ["k", ""],
      ["m", "\0"],
      ["app/", "app0"],
      ["zoo", "foo"],
    ]);
  });

  it("createAuth rejects a missing or non-transport argument at creation, not at the first call", () => {
    for (const t of [undefined, null, {}, { unary: () => undefined }, "http://127.0.0.1:2379"]) {
      let error: unknown;
      try {
        createAuth(bad(t));
      } catch (err) {
        error = err;
      }
      expect(invalid(error), `${String(t)}`).toBe(true);
    }
  });

  it("timeoutMs follows etcdkit's one meaning: Infinity is no deadline (Connect's 0), <= 0 fails deadline-exceeded before I/O", async () => {
    const transport = createRecordingTransport(() => ({ users: [] }));
    const auth = createAuth(transport);
    await auth.userList({ timeoutMs: Infinity });
    await auth.userList({ timeoutMs: 1500 });
    expect(transport.calls.map((c) => c.timeoutMs)).toEqual([0, 1500]);
    const early = await auth.userAdd("u", "p", { timeoutMs: 0 }).catch((e: unknown) => e);
    expect(isEtcdError(early, "deadline-exceeded")).toBe(true);
    expect(transport.calls).toHaveLength(2);
  });
});
