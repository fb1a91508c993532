import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { emptyKeyError, invalidArgumentError, outcomeUnknownError, withOutcomeUnknown } from "./client-errors.js";
import { EtcdError, isEtcdError } from "./etcd-error.js";
import { rpcErrorTable } from "./rpctypes-table.js";

describe("client errors", () => {
  it("emptyKeyError reads like etcd's own", () => {
    const error = emptyKeyError();
    expect(isEtcdError(error, "empty-key")).toBe(true);
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toBe(rpcErrorTable.find((row) => row.reason === "empty-key")?.message);
  });

  it("invalidArgumentError", () => {
    const error = invalidArgumentError("limit must not be negative");
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toBe("limit must not be negative");
  });

  it("outcomeUnknownError says the write may or may not have been applied and was not retried", () => {
    const cause = new ConnectError("stream closed", Code.Unavailable, { "x-member": "a" });
    const error = outcomeUnknownError("etcdserverpb.KV/Put", cause);
    expect(isEtcdError(error, "outcome-unknown")).toBe(true);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.cause).toBe(cause);
    expect(error.metadata.get("x-member")).toBe("a");
    expect(error.rawMessage).toBe(
      "etcdserverpb.KV/Put: the write may or may not have been applied; it was not retried (stream closed)",
    );
  });

  it("outcomeUnknownError does not stringify a non-error cause", () => {
    const error = outcomeUnknownError("etcdserverpb.Auth/UserAdd", { password: "s3cret" });
    expect(error.message).not.toContain("s3cret");
  });

  it("withOutcomeUnknown copies an error with outcomeUnknown set, keeping everything else", () => {
    const cause = new Error("x");
    const error = new EtcdError("etcdserver: request timed out", "timeout", Code.Unavailable, {
      cause,
      metadata: { "x-a": "1" },
      compactRevision: 3n,
    });
    error.details = [{ type: "t", value: new Uint8Array([1]) }];
    const flagged = withOutcomeUnknown(error);
    expect(flagged).not.toBe(error);
    expect(flagged.outcomeUnknown).toBe(true);
    expect(error.outcomeUnknown).toBe(false);
    expect([flagged.reason, flagged.code, flagged.rawMessage, flagged.cause]).toEqual(["timeout", Code.Unavailable, error.rawMessage, cause]);
    expect(flagged.metadata.get("x-a")).toBe("1");
    expect(flagged.compactRevision).toBe(3n);
    expect(flagged.details).toEqual(error.details);
    expect(withOutcomeUnknown(flagged)).toBe(flagged);
  });

  it("outcomeUnknownError of a repeatable write that was retried does not say it was not retried", () => {
    expect(outcomeUnknownError("etcdserverpb.Lease/LeaseGrant", new Error("lost"), true).rawMessage).toBe(
      "etcdserverpb.Lease/LeaseGrant: the write may or may not have been applied (lost)",
    );
  });
});
