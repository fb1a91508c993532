import { createKV } from "@etcdkit/kv";
import { startEtcd } from "@etcdkit/testing";
import { createTransport, isEtcdError } from "@etcdkit/transport";
import { describe, expect, it } from "vitest";

/**
 * Minimal reproductions of SDK bugs the fault suite found, kept as regression tests. While a bug
 * is open its test is marked `it.fails` and scenario/known-bugs.ts recognises its violations;
 * both go when the fix lands.
 */
describe("SDK findings of the fault suite", () => {
  // Found as "phantom-write" / "aborted-read": a write that was sent and then hit its deadline
  // (or its AbortSignal) failed with "deadline-exceeded" / "canceled" and outcomeUnknown false,
  // although etcd had applied it. Fixed on main by the transport's call-path hardening.
  it("a put whose deadline passes after etcd received it has outcomeUnknown: true", async () => {
    await using cluster = await startEtcd({ members: 1, proxy: true });
    await using transport = createTransport({ endpoints: cluster.endpoints });
    const kv = createKV(transport);
    await kv.put("warm-up", "x"); // the connection is open: the next request is sent at once
    cluster.members[0]!.proxy!.setMode("drop-responses"); // etcd applies the put, the answer never comes
    const error = await kv.put("k", "v", { timeoutMs: 500 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    cluster.members[0]!.proxy!.setMode("pass");
    await using direct = createTransport({ endpoints: [cluster.members[0]!.clientUrl] });
    expect((await createKV(direct).get("k"))?.text()).toBe("v"); // it was applied
    expect(isEtcdError(error, "deadline-exceeded")).toBe(true);
    expect((error as { outcomeUnknown?: boolean }).outcomeUnknown).toBe(true);
  });

  it("a put aborted by its signal after etcd received it has outcomeUnknown: true", async () => {
    await using cluster = await startEtcd({ members: 1, proxy: true });
    await using transport = createTransport({ endpoints: cluster.endpoints });
    const kv = createKV(transport);
    await kv.put("warm-up", "x");
    cluster.members[0]!.proxy!.setMode("drop-responses");
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 500);
    const error = await kv.put("k", "v", { signal: abort.signal }).then(
      () => undefined,
      (err: unknown) => err,
    );
    cluster.members[0]!.proxy!.setMode("pass");
    await using direct = createTransport({ endpoints: [cluster.members[0]!.clientUrl] });
    expect((await createKV(direct).get("k"))?.text()).toBe("v");
    expect(isEtcdError(error, "canceled")).toBe(true);
    expect((error as { outcomeUnknown?: boolean }).outcomeUnknown).toBe(true);
  });
});
