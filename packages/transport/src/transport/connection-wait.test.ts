import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { bytes, timed } from "../test-support.test-helpers.js";
import { createTransport } from "./create-transport.js";

/**
 * What ends a call that is still waiting for a connection decides its reason: its own deadline
 * ("deadline-exceeded") or signal ("canceled"), saying what the endpoints were doing; the dial
 * timeout or failed endpoints ("unavailable").
 */
describe("a call waiting for a connection", () => {
  let cluster: EtcdCluster;
  let proxy: TcpProxy;

  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    proxy = cluster.members[0]!.proxy!;
  });
  afterEach(() => proxy.setMode("pass"));
  afterAll(async () => {
    await cluster?.stop();
  });

  it("a 1 ms deadline on the first call to a healthy etcd is deadline-exceeded, not unavailable", async () => {
    await using transport = createTransport({ endpoints: [cluster.members[0]!.clientUrl] });
    const result = await timed(() => createClient(KV, transport).range({ key: bytes("wait/k") }, { timeoutMs: 1 }));
    // On a fast machine the handshake may win; if it does not, the deadline is what ended the call.
    if (result.error !== undefined) {
      expect((result.error as EtcdError).reason).toBe("deadline-exceeded");
      expect((result.error as Error).message).toMatch(/still connecting/);
    }
  });

  it("a deadline that ends the wait for a slow handshake says so, and what the endpoint was doing", async () => {
    proxy.setMode("delay", { delayMs: 500 });
    await using transport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 5_000 });
    const result = await timed(() => createClient(KV, transport).range({ key: bytes("wait/k") }, { timeoutMs: 100 }));
    const error = result.error as EtcdError;
    expect(error.reason).toBe("deadline-exceeded");
    expect(error.message).toMatch(/waiting .* for a connection/);
    expect(error.message).toContain(`${cluster.endpoints[0]}: still connecting`);
    expect(error.outcomeUnknown).toBe(false);
  });

  it("a signal that ends the wait is canceled, with what the endpoint was doing", async () => {
    proxy.setMode("delay", { delayMs: 500 });
    await using transport = createTransport({ endpoints: cluster.endpoints, dialTimeoutMs: 5_000 });
    const result = await timed(() => createClient(KV, transport).put({ key: bytes("wait/k"), value: bytes("v") }, { signal: AbortSignal.timeout(100) }));
    const error = result.error as EtcdError;
    // AbortSignal.timeout() aborts with a TimeoutError, which is a deadline.
    expect(error.reason).toBe("deadline-exceeded");
    expect(error.message).toContain("still connecting");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await timed(() => createClient(KV, transport).range({ key: bytes("wait/k") }, { signal: controller.signal }));
    expect(isEtcdError(aborted.error, "canceled")).toBe(true);
    expect((aborted.error as Error).message).toMatch(/waiting .* for a connection/);
  });
});
