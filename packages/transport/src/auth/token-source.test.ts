import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { EtcdError, isEtcdError } from "../errors/etcd-error.js";
import { createTokenSource, isStaleTokenError, TOKEN_APPLY_GRACE_MS } from "./token-source.js";

/** An authenticate function whose calls the test settles by hand. */
function manualAuthenticate() {
  const calls: {
    signal: AbortSignal | undefined;
    resolve: (token: string) => void;
    reject: (error: unknown) => void;
  }[] = [];
  const authenticate = (signal?: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      calls.push({ signal, resolve, reject });
    });
  return { authenticate, calls };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("createTokenSource", () => {
  it("shares one in-flight authenticate among concurrent callers and caches the token", async () => {
    const { authenticate, calls } = manualAuthenticate();
    const tokens = createTokenSource(authenticate);
    const pending = Array.from({ length: 10 }, () => tokens.token());
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve("t1");
    expect(await Promise.all(pending)).toEqual(Array(10).fill("t1"));
    expect(await tokens.token()).toBe("t1");
    expect(tokens.authentications).toBe(1);
  });

  it("re-authenticates after invalidate of the current token", async () => {
    let n = 0;
    const tokens = createTokenSource(async () => `t${++n}`);
    const first = await tokens.token();
    tokens.invalidate(first);
    expect(await tokens.token()).toBe("t2");
    expect(tokens.authentications).toBe(2);
  });

  it("ignores invalidate with a stale token: a fresh token is not dropped", async () => {
    let n = 0;
    const tokens = createTokenSource(async () => `t${++n}`);
    const stale = await tokens.token(); // t1
    tokens.invalidate(stale); // call A saw t1 fail
    const fresh = await tokens.token(); // t2
    tokens.invalidate(stale); // call B, which also used t1, reports it late
    expect(await tokens.token()).toBe(fresh);
    expect(tokens.authentications).toBe(2);
  });

  it("invalidate during an authenticate does not affect the token it brings", async () => {
    const { authenticate, calls } = manualAuthenticate();
    const tokens = createTokenSource(authenticate);
    const pending = tokens.token();
    await tick();
    tokens.invalidate("old");
    calls[0]!.resolve("t1");
    expect(await pending).toBe("t1");
    expect(await tokens.token()).toBe("t1");
  });

  it("does not cache a failed authenticate", async () => {
    let attempt = 0;
    const failure = new ConnectError("etcdserver: authentication failed, invalid user ID or password", Code.InvalidArgument);
    const tokens = createTokenSource(async () => {
      if (++attempt === 1) throw failure;
      return "t2";
    });
    const [a, b] = await Promise.allSettled([tokens.token(), tokens.token()]);
    expect(a).toEqual({ status: "rejected", reason: failure });
    expect(b).toEqual({ status: "rejected", reason: failure });
    expect(tokens.authentications).toBe(1);
    expect(await tokens.token()).toBe("t2");
    expect(tokens.authentications).toBe(2);
  });

  it("treats a synchronously throwing authenticate like a rejection", async () => {
    const tokens = createTokenSource(() => {
      throw new Error("no credentials");
    });
    await expect(tokens.token()).rejects.toThrow("no credentials");
    await expect(tokens.token()).rejects.toThrow("no credentials");
    expect(tokens.authentications).toBe(2);
  });

  it("rejects at once with 'canceled' for an already aborted signal, without authenticating", async () => {
    const tokens = createTokenSource(async () => "t1");
    const error = await tokens.token(AbortSignal.abort()).catch((e: unknown) => e);
    expect(isEtcdError(error, "canceled")).toBe(true);
    expect(tokens.authentications).toBe(0);
  });

  it("an aborted waiter leaves; the shared authenticate continues for the others", async () => {
    const { authenticate, calls } = manualAuthenticate();
    const tokens = createTokenSource(authenticate);
    const controller = new AbortController();
    const aborted = tokens.token(controller.signal);
    const patient = tokens.token(new AbortController().signal);
    const noSignal = tokens.token();
    await tick();
    controller.abort();
    const error = await aborted.catch((e: unknown) => e);
    expect(isEtcdError(error, "canceled")).toBe(true);
    expect(calls[0]!.signal?.aborted).toBe(false);
    calls[0]!.resolve("t1");
    expect(await patient).toBe("t1");
    expect(await noSignal).toBe("t1");
    expect(tokens.authentications).toBe(1);
  });

  it("aborts the authenticate when every waiter has given up, and starts afresh next time", async () => {
    const { authenticate, calls } = manualAuthenticate();
    const tokens = createTokenSource(authenticate);
    const a = new AbortController();
    const b = new AbortController();
    const waits = [tokens.token(a.signal), tokens.token(b.signal)].map((p) => p.catch((e: unknown) => e));
    await tick();
    a.abort();
    await tick();
    expect(calls[0]!.signal?.aborted).toBe(false);
    b.abort();
    const errors = await Promise.all(waits);
    expect(errors.every((e) => isEtcdError(e, "canceled"))).toBe(true);
    expect(calls[0]!.signal?.aborted).toBe(true);
    calls[0]!.reject(new Error("aborted")); // the abandoned authenticate settles late: no effect

    const next = tokens.token();
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve("t2");
    expect(await next).toBe("t2");
  });

  it("a timeout signal rejects with 'deadline-exceeded'", async () => {
    const { authenticate } = manualAuthenticate();
    const tokens = createTokenSource(authenticate);
    const error = await tokens.token(AbortSignal.timeout(5)).catch((e: unknown) => e);
    expect(isEtcdError(error, "deadline-exceeded")).toBe(true);
  });

  it("a signal aborted with an EtcdError rejects with that error", async () => {
    const { authenticate } = manualAuthenticate();
    const tokens = createTokenSource(authenticate);
    const closed = new EtcdError("the transport is closed", "transport-closed");
    const controller = new AbortController();
    const pending = tokens.token(controller.signal);
    controller.abort(closed);
    await expect(pending).rejects.toBe(closed);
  });
});

describe("createTokenSource: where a token was issued and accepted", () => {
  it("a fresh token rejected by another member may be unapplied there; by its issuer or a member that took it, it is stale", async () => {
    const tokens = createTokenSource(async () => ({ token: "t1", issuer: "http://a:2379" }));
    const token = await tokens.token();
    expect(tokens.issuer(token)).toBe("http://a:2379");
    expect(tokens.mayBeUnapplied(token, "http://b:2379")).toBe(true);
    expect(tokens.mayBeUnapplied(token, "http://a:2379")).toBe(false); // the issuer applied it
    tokens.accepted(token, "http://b:2379");
    expect(tokens.mayBeUnapplied(token, "http://b:2379")).toBe(false); // b knew it before
    expect(tokens.mayBeUnapplied("t0", "http://c:2379")).toBe(false); // not the current token
  });

  it("a token is fresh for TOKEN_APPLY_GRACE_MS only", async () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      const tokens = createTokenSource(async () => ({ token: "t1", issuer: "http://a:2379" }));
      const token = await tokens.token();
      vi.advanceTimersByTime(TOKEN_APPLY_GRACE_MS - 1);
      expect(tokens.mayBeUnapplied(token, "http://b:2379")).toBe(true);
      vi.advanceTimersByTime(1);
      expect(tokens.mayBeUnapplied(token, "http://b:2379")).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("without a known issuer (or for the empty token) nothing counts as unapplied", async () => {
    const plain = createTokenSource(async () => "t1");
    expect(plain.mayBeUnapplied(await plain.token(), "http://b:2379")).toBe(false);
    const none = createTokenSource(async () => ({ token: "", issuer: "http://a:2379" }));
    expect(none.mayBeUnapplied(await none.token(), "http://b:2379")).toBe(false);
  });

  it("after invalidate, the old token has no issuer and is not taken for unapplied", async () => {
    let n = 0;
    const tokens = createTokenSource(async () => ({ token: `t${++n}`, issuer: "http://a:2379" }));
    const first = await tokens.token();
    tokens.invalidate(first);
    expect(tokens.issuer(first)).toBeUndefined();
    expect(tokens.mayBeUnapplied(first, "http://b:2379")).toBe(false);
  });
});

describe("isStaleTokenError", () => {
  it("is true for 'invalid auth token' and 'revision of auth store is old', raw or converted", () => {
    expect(isStaleTokenError(new ConnectError("etcdserver: invalid auth token", Code.Unauthenticated))).toBe(true);
    expect(isStaleTokenError(new ConnectError("etcdserver: revision of auth store is old", Code.InvalidArgument)))
      .toBe(true);
    expect(isStaleTokenError(new EtcdError("etcdserver: invalid auth token", "invalid-auth-token"))).toBe(true);
  });

  it("is false for a wrong password and other errors", () => {
    expect(
      isStaleTokenError(
        new ConnectError("etcdserver: authentication failed, invalid user ID or password", Code.InvalidArgument),
      ),
    ).toBe(false);
    expect(isStaleTokenError(new ConnectError("etcdserver: permission denied", Code.PermissionDenied))).toBe(false);
    expect(isStaleTokenError(new Error("etcdserver: invalid auth token"))).toBe(false);
    expect(isStaleTokenError(undefined)).toBe(false);
  });
});
