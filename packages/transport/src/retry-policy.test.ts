import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { Auth, Cluster, KV, Lease, Maintenance, Watch } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { Election } from "@etcdkit/api/v3electionpb/v3election_pb";
import { Lock } from "@etcdkit/api/v3lockpb/v3lock_pb";
import { describe, expect, it } from "vitest";
import { EtcdError } from "./errors/etcd-error.js";
import type { EtcdErrorReason } from "./errors/etcd-error-reason.js";
import { rpcErrorTable } from "./errors/rpctypes-table.js";
import { toEtcdError } from "./errors/to-etcd-error.js";
import { isRetryableError, retryPolicies, retryPolicyFor, rpcPolicies, rpcPolicyFor, type RetryPolicy } from "./retry-policy.js";

const services: DescService[] = [KV, Lease, Cluster, Maintenance, Auth, Lock, Election];

describe("retryPolicies", () => {
  const unary = services.flatMap((service) =>
    service.methods
      .filter((method) => method.methodKind === "unary")
      .map((method) => [`${service.typeName}/${method.name}`, service.typeName, method.name] as const),
  );

  it("the generated descriptors were found", () => {
    expect(unary.length).toBeGreaterThanOrEqual(42); // etcd 3.4: 36 etcdserverpb + 2 lock + 4 election
  });

  it.each(unary)("classifies %s: retry policy and whether it mutates", (key, serviceTypeName, methodName) => {
    expect(Object.hasOwn(rpcPolicies, key)).toBe(true);
    expect(typeof rpcPolicies[key]!.mutates).toBe("boolean");
    expect(rpcPolicyFor(serviceTypeName, methodName)).toBe(rpcPolicies[key]);
    expect(retryPolicyFor(serviceTypeName, methodName)).toBe(retryPolicies[key]);
    expect(retryPolicies[key]).toBe(rpcPolicies[key]!.retry);
  });

  it("marks exactly the RPCs that may change etcd's state as writes", () => {
    const writes = Object.keys(rpcPolicies).filter((key) => rpcPolicies[key]!.mutates).sort();
    expect(writes).toEqual(
      [
        "etcdserverpb.KV/Put",
        "etcdserverpb.KV/DeleteRange",
        "etcdserverpb.KV/Txn",
        "etcdserverpb.KV/Compact",
        "etcdserverpb.Lease/LeaseGrant",
        "etcdserverpb.Lease/LeaseRevoke",
        "etcdserverpb.Cluster/MemberAdd",
        "etcdserverpb.Cluster/MemberRemove",
        "etcdserverpb.Cluster/MemberUpdate",
        "etcdserverpb.Cluster/MemberPromote",
        "etcdserverpb.Maintenance/Alarm",
        "etcdserverpb.Maintenance/Defragment",
        "etcdserverpb.Maintenance/MoveLeader",
        "etcdserverpb.Maintenance/Downgrade",
        "etcdserverpb.Auth/AuthEnable",
        "etcdserverpb.Auth/AuthDisable",
        "etcdserverpb.Auth/UserAdd",
        "etcdserverpb.Auth/UserDelete",
        "etcdserverpb.Auth/UserChangePassword",
        "etcdserverpb.Auth/UserGrantRole",
        "etcdserverpb.Auth/UserRevokeRole",
        "etcdserverpb.Auth/RoleAdd",
        "etcdserverpb.Auth/RoleDelete",
        "etcdserverpb.Auth/RoleGrantPermission",
        "etcdserverpb.Auth/RoleRevokePermission",
        "v3lockpb.Lock/Lock",
        "v3lockpb.Lock/Unlock",
        "v3electionpb.Election/Campaign",
        "v3electionpb.Election/Proclaim",
        "v3electionpb.Election/Resign",
      ].sort(),
    );
    // Every read is repeatable; the non-repeatable RPCs are all writes.
    for (const entry of Object.values(rpcPolicies)) if (!entry.mutates) expect(entry.retry).toBe("repeatable");
  });

  it("names only RPCs that exist (or are known from newer etcd protos)", () => {
    const generated = new Set<string>(unary.map(([key]) => key));
    const newerThanVendored = ["etcdserverpb.Maintenance/Downgrade", "etcdserverpb.Auth/AuthStatus"];
    const unknown = Object.keys(retryPolicies).filter((key) => !generated.has(key) && !newerThanVendored.includes(key));
    expect(unknown).toEqual([]);
  });

  it("does not classify streaming RPCs (stream owners handle their own reconnects)", () => {
    const streaming = [...services, Watch].flatMap((service) =>
      service.methods.filter((method) => method.methodKind !== "unary").map((method) => `${service.typeName}/${method.name}`),
    );
    expect(streaming.length).toBeGreaterThan(0);
    expect(streaming.filter((key) => Object.hasOwn(retryPolicies, key))).toEqual([]);
  });

  // Go's client/v3/retry.go: methods wrapped with withRepeatablePolicy() vs. plain (default nonRepeatable).
  const goClassification: Record<string, RetryPolicy> = {
    "etcdserverpb.KV/Range": "repeatable",
    "etcdserverpb.KV/Put": "non-repeatable",
    "etcdserverpb.KV/DeleteRange": "non-repeatable",
    "etcdserverpb.KV/Txn": "non-repeatable",
    "etcdserverpb.KV/Compact": "non-repeatable",
    "etcdserverpb.Lease/LeaseGrant": "repeatable",
    "etcdserverpb.Lease/LeaseRevoke": "repeatable",
    "etcdserverpb.Lease/LeaseTimeToLive": "repeatable",
    "etcdserverpb.Lease/LeaseLeases": "repeatable",
    "etcdserverpb.Cluster/MemberList": "repeatable",
    "etcdserverpb.Cluster/MemberAdd": "non-repeatable",
    "etcdserverpb.Cluster/MemberRemove": "non-repeatable",
    "etcdserverpb.Cluster/MemberUpdate": "non-repeatable",
    "etcdserverpb.Cluster/MemberPromote": "non-repeatable",
    "etcdserverpb.Maintenance/Alarm": "repeatable",
    "etcdserverpb.Maintenance/Status": "repeatable",
    "etcdserverpb.Maintenance/Hash": "repeatable",
    "etcdserverpb.Maintenance/HashKV": "repeatable",
    "etcdserverpb.Maintenance/MoveLeader": "repeatable",
    "etcdserverpb.Maintenance/Defragment": "non-repeatable",
    "etcdserverpb.Maintenance/Downgrade": "non-repeatable",
    "etcdserverpb.Auth/UserList": "repeatable",
    "etcdserverpb.Auth/UserGet": "repeatable",
    "etcdserverpb.Auth/RoleGet": "repeatable",
    "etcdserverpb.Auth/RoleList": "repeatable",
    "etcdserverpb.Auth/AuthEnable": "non-repeatable",
    "etcdserverpb.Auth/AuthDisable": "non-repeatable",
    "etcdserverpb.Auth/UserAdd": "non-repeatable",
    "etcdserverpb.Auth/UserDelete": "non-repeatable",
    "etcdserverpb.Auth/UserChangePassword": "non-repeatable",
    "etcdserverpb.Auth/UserGrantRole": "non-repeatable",
    "etcdserverpb.Auth/UserRevokeRole": "non-repeatable",
    "etcdserverpb.Auth/RoleAdd": "non-repeatable",
    "etcdserverpb.Auth/RoleDelete": "non-repeatable",
    "etcdserverpb.Auth/RoleGrantPermission": "non-repeatable",
    "etcdserverpb.Auth/RoleRevokePermission": "non-repeatable",
    "v3lockpb.Lock/Lock": "non-repeatable",
    "v3lockpb.Lock/Unlock": "non-repeatable",
    "v3electionpb.Election/Campaign": "non-repeatable",
    "v3electionpb.Election/Proclaim": "non-repeatable",
    "v3electionpb.Election/Resign": "non-repeatable",
  };
  it.each(Object.entries(goClassification))("matches Go: %s is %s", (key, policy) => {
    expect(retryPolicies[key]).toBe(policy);
  });

  // Read-only (or token-only) calls Go leaves at its default; documented in retry-policy.ts.
  it.each(["etcdserverpb.Auth/AuthStatus", "etcdserverpb.Auth/Authenticate", "v3electionpb.Election/Leader"])(
    "deliberately differs from Go's default: %s is repeatable",
    (key) => {
      expect(retryPolicies[key]).toBe("repeatable");
    },
  );

  it("every entry is covered by the Go rows or the documented deviations", () => {
    expect(Object.keys(retryPolicies).length).toBe(Object.keys(goClassification).length + 3);
  });

  it("defaults unknown RPCs to non-repeatable writes", () => {
    expect(rpcPolicyFor("etcdserverpb.KV", "RangeStream")).toEqual({ retry: "non-repeatable", mutates: true });
    expect(retryPolicyFor("etcdserverpb.KV", "RangeStream")).toBe("non-repeatable");
    expect(retryPolicyFor("etcdserverpb.Nope", "Range")).toBe("non-repeatable");
    expect(retryPolicyFor("etcdserverpb.KV", "toString")).toBe("non-repeatable");
  });
});

describe("isRetryableError", () => {
  const unavailable = toEtcdError(new ConnectError("connect ECONNREFUSED 127.0.0.1:2379", Code.Unavailable));
  const serverError = (reason: EtcdErrorReason, code?: Code): EtcdError => {
    const row = rpcErrorTable.find((r) => r.reason === reason)!;
    return toEtcdError(new ConnectError(row.message, code ?? row.code));
  };

  it.each([
    // [policy, requestSent, expected]
    ["repeatable", true, true],
    ["repeatable", false, true],
    ["non-repeatable", false, true],
    ["non-repeatable", true, false],
  ] as const)("'unavailable' with %s, requestSent=%s → %s", (policy, requestSent, expected) => {
    expect(isRetryableError(unavailable, policy, requestSent)).toBe(expected);
  });

  const transient: EtcdErrorReason[] = [
    "no-leader",
    "leader-changed",
    "not-capable",
    "stopped",
    "timeout",
    "timeout-due-to-leader-fail",
    "timeout-due-to-connection-lost",
    "timeout-wait-applied-index",
    "unhealthy",
    "not-supported-for-learner",
    "cluster-version-unavailable",
  ];
  it.each(transient)("etcd's Unavailable error %s: retried for repeatable RPCs only (as Go)", (reason) => {
    const error = serverError(reason);
    expect(error.code).toBe(Code.Unavailable);
    expect(isRetryableError(error, "repeatable", true)).toBe(true);
    expect(isRetryableError(error, "non-repeatable", true)).toBe(false);
    expect(isRetryableError(error, "non-repeatable", false)).toBe(false);
  });

  it("the transient set is exactly the table's Unavailable rows", () => {
    const unavailableRows = rpcErrorTable.filter((row) => row.code === Code.Unavailable).map((row) => row.reason);
    expect([...unavailableRows].sort()).toEqual([...transient].sort());
  });

  it("follows the server's code: etcd 3.6 sends 'not capable' as FailedPrecondition, not retried", () => {
    expect(isRetryableError(serverError("not-capable", Code.FailedPrecondition), "repeatable", true)).toBe(false);
    expect(isRetryableError(serverError("not-supported-for-learner", Code.FailedPrecondition), "repeatable", true))
      .toBe(false);
  });

  it.each<EtcdErrorReason>([
    "compacted",
    "future-revision",
    "permission-denied",
    "invalid-auth-token",
    "auth-failed",
    "request-too-large",
    "no-space",
    "too-many-requests",
    "not-leader",
    "corrupt",
    "lease-not-found",
  ])("typed etcd error %s is never retried", (reason) => {
    const error = serverError(reason);
    for (const policy of ["repeatable", "non-repeatable"] as const) {
      for (const requestSent of [true, false]) expect(isRetryableError(error, policy, requestSent)).toBe(false);
    }
  });

  it.each<[string, EtcdError]>([
    ["outcome-unknown (code Unavailable)", new EtcdError("x", "outcome-unknown", Code.Unavailable)],
    ["transport-closed", new EtcdError("x", "transport-closed")],
    ["deadline-exceeded", new EtcdError("x", "deadline-exceeded")],
    ["canceled", new EtcdError("x", "canceled")],
    ["unknown", new EtcdError("x", "unknown", Code.Unavailable)],
    ["message-too-large", new EtcdError("x", "message-too-large")],
    ["unavailable with a non-Unavailable code", new EtcdError("x", "unavailable", Code.Internal)],
  ])("%s is never retried", (_name, error) => {
    for (const policy of ["repeatable", "non-repeatable"] as const) {
      for (const requestSent of [true, false]) expect(isRetryableError(error, policy, requestSent)).toBe(false);
    }
  });
});
