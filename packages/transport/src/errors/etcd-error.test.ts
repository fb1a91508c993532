import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { EtcdError, isEtcdError } from "./etcd-error.js";
import { toEtcdError } from "./to-etcd-error.js";

describe("EtcdError", () => {
  it("is a ConnectError with a reason and a gRPC code", () => {
    const error = new EtcdError("etcdserver: mvcc: required revision has been compacted", "compacted", Code.OutOfRange);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toBeInstanceOf(EtcdError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("EtcdError");
    expect(error.reason).toBe("compacted");
    expect(error.code).toBe(Code.OutOfRange);
    expect(error.rawMessage).toBe("etcdserver: mvcc: required revision has been compacted");
    expect(error.message).toBe("[out_of_range] etcdserver: mvcc: required revision has been compacted");
    expect(String(error)).toBe("EtcdError: [out_of_range] etcdserver: mvcc: required revision has been compacted");
    expect(error.stack).toContain("EtcdError: [out_of_range]");
  });

  it("passes ConnectError.from unchanged (Connect would otherwise wrap it as 'unknown')", () => {
    const error = new EtcdError("etcdserver: no leader", "no-leader");
    expect(ConnectError.from(error)).toBe(error);
  });

  it("defaults the code from the reason", () => {
    expect(new EtcdError("x", "no-leader").code).toBe(Code.Unavailable);
    expect(new EtcdError("x", "compacted").code).toBe(Code.OutOfRange);
    expect(new EtcdError("x", "outcome-unknown").code).toBe(Code.Unavailable);
    expect(new EtcdError("x", "invalid-argument").code).toBe(Code.InvalidArgument);
    expect(new EtcdError("x", "deadline-exceeded").code).toBe(Code.DeadlineExceeded);
    expect(new EtcdError("x", "unknown").code).toBe(Code.Unknown);
  });

  it("keeps cause, metadata and compactRevision", () => {
    const cause = new Error("socket hang up");
    const error = new EtcdError("etcdserver: mvcc: required revision has been compacted", "compacted", undefined, {
      cause,
      metadata: { "x-etcd": "1" },
      compactRevision: 1200n,
    });
    expect(error.cause).toBe(cause);
    expect(error.metadata.get("x-etcd")).toBe("1");
    expect(error.compactRevision).toBe(1200n);
    expect("compactRevision" in new EtcdError("x", "compacted")).toBe(false);
  });

  it("says whether a write may have been applied: outcomeUnknown, set by the option or by reason outcome-unknown", () => {
    expect(new EtcdError("x", "deadline-exceeded").outcomeUnknown).toBe(false);
    expect(new EtcdError("x", "deadline-exceeded", undefined, { outcomeUnknown: true }).outcomeUnknown).toBe(true);
    expect(new EtcdError("x", "timeout", undefined, { outcomeUnknown: true }).outcomeUnknown).toBe(true);
    expect(new EtcdError("x", "outcome-unknown").outcomeUnknown).toBe(true);
  });

  it("keeps resumeRevision for a slow consumer, whose code is ResourceExhausted", () => {
    const error = new EtcdError("watch fell behind", "slow-consumer", undefined, { resumeRevision: 77n });
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.resumeRevision).toBe(77n);
    expect("resumeRevision" in new EtcdError("x", "slow-consumer")).toBe(false);
  });

  it("does not list the brand among its enumerable properties", () => {
    const error = new EtcdError("x", "unknown");
    expect(Object.getOwnPropertySymbols(error).every((s) => !Object.getOwnPropertyDescriptor(error, s)?.enumerable))
      .toBe(true);
  });
});

describe("isEtcdError", () => {
  it("filters by one reason or a list of reasons", () => {
    const error = new EtcdError("etcdserver: no leader", "no-leader");
    expect(isEtcdError(error)).toBe(true);
    expect(isEtcdError(error, "no-leader")).toBe(true);
    expect(isEtcdError(error, "compacted")).toBe(false);
    expect(isEtcdError(error, ["compacted", "no-leader"])).toBe(true);
    expect(isEtcdError(error, [])).toBe(false);
  });

  it("rejects look-alikes without the brand, and non-errors", () => {
    expect(isEtcdError(new ConnectError("etcdserver: no leader", Code.Unavailable))).toBe(false);
    expect(isEtcdError({ name: "EtcdError", reason: "no-leader" })).toBe(false);
    expect(isEtcdError(undefined)).toBe(false);
    expect(isEtcdError(null)).toBe(false);
    expect(isEtcdError("EtcdError")).toBe(false);
    const renamed = new EtcdError("x", "unknown");
    (renamed as { name: string }).name = "Other";
    expect(isEtcdError(renamed)).toBe(false);
  });

  it("works across two loaded copies of the module", async () => {
    vi.resetModules();
    const copyA = await import("./etcd-error.js");
    vi.resetModules();
    const copyB = await import("./etcd-error.js");
    expect(copyA.EtcdError).not.toBe(copyB.EtcdError);

    const fromB = new copyB.EtcdError("etcdserver: permission denied", "permission-denied", Code.PermissionDenied);
    expect(copyA.isEtcdError(fromB, "permission-denied")).toBe(true);
    expect(isEtcdError(fromB)).toBe(true);
    expect(fromB).toBeInstanceOf(copyA.EtcdError);
    expect(fromB).toBeInstanceOf(EtcdError);
    expect(fromB).toBeInstanceOf(ConnectError);
    expect(toEtcdError(fromB)).toBe(fromB);
  });

  it("recognises an error built by an unrelated class carrying the same brand", () => {
    class ForeignEtcdError extends Error {
      override name = "EtcdError";
      readonly reason = "auth-failed";
      readonly code = Code.InvalidArgument;
      constructor() {
        super("etcdserver: authentication failed, invalid user ID or password");
        Object.defineProperty(this, Symbol.for("@etcdkit/transport/EtcdError"), { value: true });
      }
    }
    const foreign = new ForeignEtcdError();
    expect(isEtcdError(foreign, "auth-failed")).toBe(true);
    expect(foreign).toBeInstanceOf(EtcdError);
    expect(new Error("x")).not.toBeInstanceOf(EtcdError);
  });
});

describe("toEtcdError", () => {
  it("returns an EtcdError as is", () => {
    const error = new EtcdError("x", "outcome-unknown");
    expect(toEtcdError(error)).toBe(error);
  });

  it("keeps metadata, details and cause of a ConnectError", () => {
    const cause = new Error("stream reset");
    const connectError = new ConnectError("etcdserver: no leader", Code.Unavailable, { "grpc-status": "14" }, [], cause);
    connectError.details = [{ type: "google.rpc.DebugInfo", value: new Uint8Array([1]) }];
    const error = toEtcdError(connectError);
    expect(error.reason).toBe("no-leader");
    expect(error.metadata.get("grpc-status")).toBe("14");
    expect(error.details).toEqual(connectError.details);
    expect(error.cause).toBe(cause);
  });

  it("maps aborted and timed-out signals' reasons", () => {
    const aborted = toEtcdError(new DOMException("This operation was aborted", "AbortError"));
    expect(aborted.reason).toBe("canceled");
    expect(aborted.code).toBe(Code.Canceled);
    const timedOut = toEtcdError(new DOMException("The operation timed out", "TimeoutError"));
    expect(timedOut.reason).toBe("deadline-exceeded");
    expect(timedOut.code).toBe(Code.DeadlineExceeded);
  });

  it("turns other errors and values into 'unknown' with the value as cause", () => {
    const typeError = new TypeError("boom");
    const fromError = toEtcdError(typeError);
    expect(fromError.reason).toBe("unknown");
    expect(fromError.code).toBe(Code.Unknown);
    expect(fromError.rawMessage).toBe("boom");
    expect(fromError.cause).toBe(typeError);
    expect(toEtcdError("plain text").rawMessage).toBe("plain text");
    expect(toEtcdError(undefined).reason).toBe("unknown");
  });

  it("never copies a thrown non-error value (e.g. a request) into the message", () => {
    const request = { name: "root", password: "hunter2-secret" };
    const error = toEtcdError(request);
    expect(error.message).not.toContain("hunter2-secret");
    expect(error.message).not.toContain("root");
    expect(error.cause).toBe(request);
  });
});
