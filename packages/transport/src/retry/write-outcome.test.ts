import { Code, ConnectError } from "@connectrpc/connect";
import { KV, Lease } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { describe, expect, it } from "vitest";
import { deadlineError, httpStatusError, protocolError, statusError, unavailableError } from "../call/call-errors.js";
import { methodInfo } from "../call/method-info.js";
import { EtcdError, isEtcdError } from "../errors/etcd-error.js";
import type { EtcdErrorReason } from "../errors/etcd-error-reason.js";
import { rpcErrorTable } from "../errors/rpctypes-table.js";
import { toEtcdError } from "../errors/to-etcd-error.js";
import { finalCallError, mayHaveBeenApplied } from "./write-outcome.js";

const serverError = (reason: EtcdErrorReason): EtcdError => {
  const row = rpcErrorTable.find((r) => r.reason === reason)!;
  return toEtcdError(new ConnectError(row.message, row.code));
};

describe("mayHaveBeenApplied", () => {
  const ambiguous: EtcdErrorReason[] = [
    "timeout",
    "timeout-due-to-leader-fail",
    "timeout-due-to-connection-lost",
    "leader-changed",
    "stopped",
    "canceled",
    "deadline-exceeded",
  ];

  it.each(ambiguous)("etcd's %s can come after the proposal: ambiguous", (reason) => {
    expect(mayHaveBeenApplied(serverError(reason), true, true)).toBe(true);
  });

  it("every other typed etcd answer is a definitive rejection", () => {
    const definitive = rpcErrorTable.filter((row) => !ambiguous.includes(row.reason));
    expect(definitive.length).toBeGreaterThan(50);
    for (const row of definitive) expect(mayHaveBeenApplied(serverError(row.reason), true, true), row.reason).toBe(false);
  });

  it("an answer without an etcd message is ambiguous: a proxy's 502/503/504, an L7 hop's grpc-status 14, grpc-go's own errors", () => {
    for (const status of [502, 503, 504, 500, 401]) expect(mayHaveBeenApplied(httpStatusError(status, undefined), true, true), String(status)).toBe(true);
    expect(mayHaveBeenApplied(statusError("14", undefined, undefined), true, true)).toBe(true);
    expect(mayHaveBeenApplied(statusError("14", "transport is closing", undefined), true, true)).toBe(true);
    expect(mayHaveBeenApplied(statusError("4", "context deadline exceeded", undefined), true, true)).toBe(true);
    expect(mayHaveBeenApplied(statusError("2", "etcdserver: request cancelled", undefined), true, true)).toBe(true); // 3.4's spelling, untyped
  });

  it("statuses that say the call was never handled are definitive", () => {
    expect(mayHaveBeenApplied(statusError("12", "unknown service etcdserverpb.KV", undefined), true, true)).toBe(false);
    expect(mayHaveBeenApplied(httpStatusError(404, undefined), true, true)).toBe(false);
    expect(mayHaveBeenApplied(statusError("8", "grpc: received message larger than max (3 vs. 2)", undefined), true, true)).toBe(false);
  });

  it("a failure on the client's side after sending is ambiguous; a request never sent never is", () => {
    expect(mayHaveBeenApplied(unavailableError("connection lost"), true, false)).toBe(true);
    expect(mayHaveBeenApplied(deadlineError(100), true, false)).toBe(true);
    expect(mayHaveBeenApplied(protocolError("cannot decode"), true, false)).toBe(true);
    expect(mayHaveBeenApplied(unavailableError("refused the stream"), false, false)).toBe(false);
    expect(mayHaveBeenApplied(serverError("timeout"), false, true)).toBe(false);
  });
});

describe("finalCallError", () => {
  const put = methodInfo(KV.method.put);
  const revoke = methodInfo(Lease.method.leaseRevoke);

  it("leaves the error of a call none of whose attempts may have been applied as it is", () => {
    const error = deadlineError(100);
    expect(finalCallError(error, put, false)).toBe(error);
  });

  it("flags any other reason, keeping it: deadline-exceeded, canceled, timeout", () => {
    for (const error of [deadlineError(100), serverError("canceled"), serverError("timeout")]) {
      const final = finalCallError(error, put, true);
      expect(final.reason).toBe(error.reason);
      expect(final.code).toBe(error.code);
      expect(final.rawMessage).toBe(error.rawMessage);
      expect(final.outcomeUnknown).toBe(true);
      expect(error.outcomeUnknown).toBe(false); // a copy: a shared error is not changed
    }
  });

  it("turns an answer without a typed reason into outcome-unknown, with the failure as cause", () => {
    const cause = statusError("14", undefined, undefined);
    const final = finalCallError(cause, put, true);
    expect(isEtcdError(final, "outcome-unknown")).toBe(true);
    expect(final.outcomeUnknown).toBe(true);
    expect(final.cause).toBe(cause);
    expect(final.rawMessage).toMatch(/^etcdserverpb.KV\/Put: the write may or may not have been applied; it was not retried/);
    const unknown = finalCallError(new EtcdError("HTTP 500 without gRPC status", "unknown", Code.Unknown), put, true);
    expect(isEtcdError(unknown, "outcome-unknown")).toBe(true);
  });

  it("keeps a retried repeatable write's final typed answer, flagged", () => {
    const final = finalCallError(serverError("lease-not-found"), revoke, true);
    expect(final.reason).toBe("lease-not-found");
    expect(final.outcomeUnknown).toBe(true);
    const retried = finalCallError(unavailableError("connection lost"), revoke, true);
    expect(retried.rawMessage).not.toContain("not retried");
  });
});
