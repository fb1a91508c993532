/**
 * The keepalive stream's re-opens are reported to the transport's `onEvent` ("stream-reopen"),
 * against a real etcd behind the harness's proxy: a reset connection, and a stalled one (no
 * answer within a renewal interval).
 */
import { createTransport, isEtcdError, type StreamReopenEvent, type TransportEvent } from "@etcdkit/transport";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLease } from "./create-lease.js";
import { eventually } from "./lease-test-env.test-helpers.js";

describe("keepalive stream re-opens as transport events (real etcd, proxy)", () => {
  let cluster: EtcdCluster;
  let proxy: TcpProxy;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    proxy = cluster.members[0]!.proxy!;
  });
  afterEach(() => proxy.setMode("pass"));
  afterAll(() => cluster?.stop());

  function reopens(events: readonly TransportEvent[]): StreamReopenEvent[] {
    return events.filter((e): e is StreamReopenEvent => e.type === "stream-reopen");
  }

  it("a reset connection: stream-reopen (stream lease-keepalive, attempt 1), and the lease is renewed again", async () => {
    const events: TransportEvent[] = [];
    await using transport = createTransport({ endpoints: [proxy.url], dialTimeoutMs: 2_000, onEvent: (e) => void events.push(e) });
    const leases = createLease(transport);
    const lease = await leases.grant(3, { keepAlive: true });
    await eventually(() => leases.stats.connected, 5_000, "the keepalive stream");

    proxy.setMode("reset");
    await eventually(() => reopens(events).length > 0, 10_000, "a stream-reopen event");
    proxy.setMode("pass");
    const sent = leases.stats.requestsSent;
    await eventually(() => leases.stats.requestsSent > sent && leases.stats.connected, 10_000, "renewals on a new stream");

    expect(reopens(events)[0]).toMatchObject({ type: "stream-reopen", stream: "lease-keepalive", attempt: 1 });
    expect(isEtcdError(reopens(events)[0]!.error, "unavailable")).toBe(true);
    expect(lease.signal.aborted).toBe(false);
    await lease.revoke();
  });

  it("a stalled stream (blackholed): stream-reopen says the keepalive stream stalled", async () => {
    const events: TransportEvent[] = [];
    await using transport = createTransport({ endpoints: [proxy.url], dialTimeoutMs: 2_000, onEvent: (e) => void events.push(e) });
    const leases = createLease(transport);
    const lease = await leases.grant(3, { keepAlive: true });
    await eventually(() => leases.stats.connected, 5_000, "the keepalive stream");

    proxy.setMode("blackhole");
    await eventually(() => reopens(events).length > 0, 10_000, "a stream-reopen event");
    proxy.setMode("pass");
    expect(reopens(events)[0]).toMatchObject({ stream: "lease-keepalive", attempt: 1 });
    expect(reopens(events)[0]!.error.rawMessage).toMatch(/stalled/);
    await lease.revoke().catch(() => {});
  });
});
