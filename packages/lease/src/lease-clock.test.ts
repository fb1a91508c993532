/**
 * Lease deadlines under wall-clock steps (NTP, a VM resume, an operator's `date -s`): `Date.now()`
 * is moved an hour backwards or forwards while leases are granted and kept alive against a real
 * etcd behind the harness's proxy. A lease's deadline runs on the monotonic clock, so a backward
 * step never lets a blackholed lease outlive its last renewal + TTL (etcd expires it by then), and
 * a forward step never loses a healthy lease.
 */
import type { Transport } from "@connectrpc/connect";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLease } from "./create-lease.js";
import { connectLease, eventually, settlesWithin, sleep, type LeaseEnv } from "./lease-test-env.test-helpers.js";

const HOUR = 3_600_000;
const TTL = 3;
/** Timer slack on a busy shared machine: generous, never a timing window. */
const SLACK_MS = 2_000;

/** Makes `Date.now()` return the real wall clock plus an offset that `step()` moves. */
function stepWallClock(): { step(ms: number): void; restore(): void } {
  const realNow = Date.now;
  let offset = 0;
  const spy = vi.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
  return {
    step(ms) {
      offset += ms;
    },
    restore() {
      spy.mockRestore();
    },
  };
}

describe("lease deadlines when the wall clock steps (real etcd, proxy)", () => {
  let cluster: EtcdCluster;
  let env: LeaseEnv;
  let proxy: TcpProxy;
  let wall: ReturnType<typeof stepWallClock> | undefined;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    proxy = cluster.members[0]!.proxy!;
    env = connectLease(cluster.endpoints, cluster.clientUrls);
  });
  afterEach(() => {
    wall?.restore();
    wall = undefined;
    proxy.setMode("pass");
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  it("a backward step: a kept-alive lease that is then blackholed is lost by its last renewal + TTL", async () => {
    const lease = await env.leases.grant(TTL);
    const received: number[] = []; // monotonic receive times of the renewals
    const consumer = (async () => {
      for await (const _ of lease.keepAlive()) received.push(performance.now());
    })();
    await eventually(() => received.length >= 2, 10_000, "two renewals");
    wall = stepWallClock();
    wall.step(-HOUR);
    const before = received.length;
    await eventually(() => received.length >= before + 2, 10_000, "two renewals after the step");
    expect(lease.loss).toBeUndefined();

    proxy.setMode("blackhole");
    const loss = await settlesWithin(lease.lost, TTL * 1000 + 3 * SLACK_MS, "lease.lost");
    const lostAt = performance.now();
    await consumer;
    expect(loss.reason).toBe("deadline");
    expect(lostAt).toBeLessThanOrEqual(received[received.length - 1]! + TTL * 1000 + SLACK_MS);

    // etcd expires it too (held requests delivered on healing may renew it once more: one TTL at most)
    proxy.setMode("pass");
    const expired = async (): Promise<boolean> => (await env.leases.timeToLive(lease.id)).expired;
    await eventually(expired, 2 * TTL * 1000 + SLACK_MS, "etcd to expire the lease");
  });

  it("a forward step does not lose a healthy lease: not while its grant is in flight, nor while renewals are", async () => {
    wall = stepWallClock();
    const clock = wall;
    let keepAlives = 0;
    // The same transport, stepping the wall clock an hour forward as a LeaseGrant and the second
    // keepalive request go out (after the lease took their send times, before the answers).
    const stepping: Transport = {
      unary(method, ...rest) {
        if (method.name === "LeaseGrant") clock.step(HOUR);
        return env.transport.unary(method, ...rest);
      },
      stream(method, signal, timeoutMs, header, input, contextValues) {
        async function* tap(): AsyncIterable<never> {
          for await (const request of input) {
            if (++keepAlives === 2) clock.step(HOUR);
            yield request as never;
          }
        }
        return env.transport.stream(method, signal, timeoutMs, header, tap(), contextValues);
      },
    };
    const leases = createLease(stepping);
    const lease = await leases.grant(TTL);
    await sleep(100);
    expect(lease.loss).toBeUndefined();

    lease.keepAlive();
    await sleep(2 * TTL * 1000);
    expect(keepAlives).toBeGreaterThanOrEqual(3);
    expect(lease.loss).toBeUndefined();
    expect(leases.stats.streamsOpened).toBe(1); // no stall was detected either
    expect((await lease.timeToLive()).expired).toBe(false);
    await lease.revoke();
  });
});
