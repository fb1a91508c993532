/**
 * Bad input to the lease API fails with a typed EtcdError before any I/O (checked on a transport
 * that records every call and does none), and before a call changes any state.
 */
import { isEtcdError, MAX_TIMER_MS } from "@etcdkit/transport";
import { createRecordingTransport } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { createLease } from "./create-lease.js";

/** A Transport that records the method of every call and fails it, without any I/O. */

const bad = (value: unknown): never => value as never;

/** Runs each attempt and returns the names of those that did not fail with invalid-argument. */
async function notRejected(attempts: Array<[string, () => unknown]>): Promise<string[]> {
  const wrong: string[] = [];
  for (const [name, attempt] of attempts) {
    const error = await Promise.resolve().then(attempt).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isEtcdError(error, "invalid-argument")) wrong.push(`${name}: ${String(error)}`);
  }
  return wrong;
}

describe("lease input validation", () => {
  it("rejects lease IDs and TTLs that are not int64-sized bigints / safe integers before any I/O", async () => {
    const transport = createRecordingTransport();
    const leases = createLease(transport);
    const wrong = await notRejected([
      // a number ID was sent as is, so the client's own Lease objects did not match it
      ["revoke(5)", () => leases.revoke(bad(5))],
      ["timeToLive(5)", () => leases.timeToLive(bad(5))],
      ["keepAliveOnce(5)", () => leases.keepAliveOnce(bad(5))],
      // undefined was sent as lease 0 (negative IDs are valid: etcd 3.4 grants them)
      ["revoke(undefined)", () => leases.revoke(bad(undefined))],
      ["timeToLive(undefined)", () => leases.timeToLive(bad(undefined))],
      ["revoke(0n)", () => leases.revoke(0n)],
      ["keepAliveOnce(0n)", () => leases.keepAliveOnce(0n)],
      ["attach(0n)", () => leases.attach(0n)],
      ["revoke(-2^63 - 1)", () => leases.revoke(-(2n ** 63n) - 1n)],
      ["attach(-2^63 - 1)", () => leases.attach(-(2n ** 63n) - 1n)],
      // beyond int64: failed to encode; on the shared keepalive stream it lost every lease
      ["attach(2^63)", () => leases.attach(2n ** 63n)],
      ["revoke(2^64)", () => leases.revoke(2n ** 64n)],
      ["grant id 2^63", () => leases.grant(5, { id: 2n ** 63n })],
      ["grant(2 ** 63)", () => leases.grant(2 ** 63)],
      ["grant(1e300)", () => leases.grant(1e300)],
    ]);
    expect(wrong).toEqual([]);
    expect(transport.calls).toEqual([]);
    expect(leases.stats.keepAlives).toBe(0);
  });

  it("rejects non-boolean flags, bad call options and a bad attach TTL before any I/O", async () => {
    const transport = createRecordingTransport();
    const leases = createLease(transport);
    const wrong = await notRejected([
      // silently taken as false
      ["grant keepAlive: 'yes'", () => leases.grant(5, { keepAlive: bad("yes") })],
      ["timeToLive keys: 1", () => leases.timeToLive(1n, { keys: bad(1) })],
      ["lease.timeToLive keys: 'yes'", () => leases.attach(1n).timeToLive({ keys: bad("yes") })],
      // keepAliveOnce did arithmetic on it: "100" became 100 ms, null an expired deadline
      ["keepAliveOnce timeoutMs '100'", () => leases.keepAliveOnce(1n, { timeoutMs: bad("100") })],
      ["keepAliveOnce timeoutMs null", () => leases.keepAliveOnce(1n, { timeoutMs: bad(null) })],
      ["keepAliveOnce signal {}", () => leases.keepAliveOnce(1n, { signal: bad({}) })],
      ["revoke signal {}", () => leases.revoke(1n, { signal: bad({}) })],
      ["leases timeoutMs NaN", () => leases.leases({ timeoutMs: NaN })],
      ["grant timeoutMs NaN", () => leases.grant(5, { timeoutMs: NaN })],
      ["grant options 5", () => leases.grant(5, bad(5))],
      ["grant options null", () => leases.grant(5, bad(null))],
      // stored as the lease's TTL: NaN / negative renewed every 500 ms, Infinity every 1 ms
      ["attach ttl -1", () => leases.attach(1n, { ttl: -1 })],
      ["attach ttl NaN", () => leases.attach(1n, { ttl: NaN })],
      ["attach ttl '5'", () => leases.attach(1n, { ttl: bad("5") })],
      ["attach ttl 1.5", () => leases.attach(1n, { ttl: 1.5 })],
      ["attach ttl Infinity", () => leases.attach(1n, { ttl: Infinity })],
    ]);
    expect(wrong).toEqual([]);
    expect(transport.calls).toEqual([]);
  });

  it("lease.revoke with bad options leaves the keepalive running", async () => {
    const transport = createRecordingTransport();
    const leases = createLease(transport);
    const lease = leases.attach(0x1234n);
    lease.keepAlive();
    await expect(lease.revoke({ signal: bad({}) })).rejects.toSatisfy((e) => isEtcdError(e, "invalid-argument"));
    await expect(lease.revoke({ timeoutMs: NaN })).rejects.toSatisfy((e) => isEtcdError(e, "invalid-argument"));
    expect(lease.keepingAlive).toBe(true);
    expect(lease.loss).toBeUndefined();
    expect(transport.calls.map((c) => c.method)).not.toContain("LeaseRevoke");
    await leases.close();
  });

  it("createLease throws invalid-argument for something that is not a transport", () => {
    for (const transport of [undefined, null, {}, { unary: () => {} }]) {
      expect(() => createLease(bad(transport))).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
    }
  });

  it("still sends the edge values", async () => {
    const transport = createRecordingTransport();
    const leases = createLease(transport);
    await leases.grant(Number.MAX_SAFE_INTEGER, { id: 2n ** 63n - 1n, keepAlive: false }).catch(() => {});
    await leases.revoke(2n ** 63n - 1n, { timeoutMs: MAX_TIMER_MS }).catch(() => {});
    await leases.timeToLive(1n, { keys: true, signal: new AbortController().signal }).catch(() => {});
    expect(leases.attach(1n, { ttl: 0 }).ttl).toBe(0);
    expect(transport.calls.map((c) => c.method)).toEqual(["LeaseGrant", "LeaseRevoke", "LeaseTimeToLive"]);
    await leases.close();
  });
});
