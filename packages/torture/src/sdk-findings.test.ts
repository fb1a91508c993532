import { createAuth } from "@etcdkit/auth";
import { createKV } from "@etcdkit/kv";
import { startEtcd } from "@etcdkit/testing";
import { createTransport, isEtcdError } from "@etcdkit/transport";
import { createWatch } from "@etcdkit/watch";
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

  // Found as "watch-ended" by the thousand in the auth scenario (--auth-token-ttl=2, every client
  // cut off for a few seconds): a watch created while the watch stream cannot reach etcd is sent on
  // the open stream once it can again; by then the stream's auth token has expired and etcd refuses
  // the create with "invalid auth token". The watcher then ends every watch with
  // "invalid-auth-token" instead of re-opening the stream with a fresh token, and fails every watch
  // created afterwards the same way, seconds after the network healed (the token is never
  // refreshed). The scenario's watch clients looped on it: 66,145 watches ended that way in 4
  // minutes, and the process's handles grew from 880 to 2,722. Fixed: token refusals of creates
  // re-open the stream with backoff until the transport's token is replaced.
  it("a watch created while its stream is cut off outlives an expired auth token, and later watches work", async () => {
    await using cluster = await startEtcd({ members: 3, proxy: true, flags: ["--auth-token-ttl=2"] });
    {
      await using setup = createTransport({ endpoints: cluster.clientUrls });
      const auth = createAuth(setup);
      await auth.roleAdd("root");
      await auth.userAdd("root", "secret");
      await auth.userGrantRole("root", "root");
      await auth.enable();
    }
    await using transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password: "secret" } });
    const watcher = createWatch(transport);
    const first = watcher.watch("k");
    await first.ready;
    for (const m of cluster.members) m.proxy!.setMode("blackhole");
    const second = watcher.watch("k");
    await new Promise((resolve) => setTimeout(resolve, 3700)); // tokens expire (TTL 2 s, unused)
    for (const m of cluster.members) m.proxy!.setMode("pass");
    await new Promise((resolve) => setTimeout(resolve, 3000)); // well after the network healed
    const later = watcher.watch("k");
    const outcome = await Promise.race([
      later.ready.then(
        () => "ready",
        (err: unknown) => (err as { reason?: string }).reason ?? String(err),
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve("not ready within 10 s"), 10_000).unref()),
    ]);
    for (const w of [first, second, later]) w.cancel();
    expect(outcome).toBe("ready"); // was "invalid-auth-token"
  });
});
