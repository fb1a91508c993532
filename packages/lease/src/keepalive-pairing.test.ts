/**
 * Each keepalive answer is dated by the send time of the request it answers (etcd answers a
 * stream's requests in order), and an answer whose request is unknown never moves a deadline:
 * a duplicate answer, answers in flight while a lease's keepalive is stopped and started again,
 * answers arriving on a stream the client has given up on (closed, broken, stalled). Driven by a
 * scripted transport that holds answers and delivers them when the test says so.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { monotonicNow } from "@etcdkit/transport";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLease } from "./create-lease.js";
import { createKeepAliveScript, settle } from "./keepalive-script.test-helpers.js";
import { eventually, sleep } from "./lease-test-env.test-helpers.js";

const TTL = 10;

describe("pairing keepalive answers with their requests", () => {
  it("a second answer to one request does not extend the deadline", async () => {
    const transport = createKeepAliveScript();
    const leases = createLease(transport);
    const lease = leases.attach(7n, { ttl: TTL });
    lease.keepAlive();
    const sentBy = monotonicNow();
    await settle();
    const stream = transport.streams[0]!;
    expect(stream.requests).toEqual([7n]);
    stream.answer(7n, TTL);
    await settle();
    const deadline = lease.deadline!;
    expect(deadline).toBeLessThanOrEqual(sentBy + TTL * 1000);

    await sleep(30);
    stream.answer(7n, TTL); // no request is waiting for this one: its send time is unknown
    await settle();
    expect(lease.deadline).toBe(deadline);
    await leases.close();
  });

  it("release() and keepAlive() again while a renewal is in flight: each answer is dated by its own request", async () => {
    const transport = createKeepAliveScript();
    const leases = createLease(transport);
    const other = leases.attach(8n, { ttl: TTL }); // keeps the stream open
    const lease = leases.attach(7n, { ttl: TTL });
    other.keepAlive();
    lease.keepAlive();
    const firstSentBy = monotonicNow();
    await settle();
    const stream = transport.streams[0]!;
    expect(stream.requests).toEqual([8n, 7n]);

    await sleep(30);
    lease.release();
    lease.keepAlive(); // a second request for 7n, while the first is unanswered
    const secondSentBy = monotonicNow();
    await settle();
    expect(stream.requests).toEqual([8n, 7n, 7n]);
    expect(transport.streams).toHaveLength(1);

    stream.answer(7n, TTL); // answers the first request
    await settle();
    expect(lease.deadline === undefined || lease.deadline <= firstSentBy + TTL * 1000).toBe(true);

    await sleep(30);
    stream.answer(7n, TTL); // answers the second
    await settle();
    expect(lease.deadline).toBeDefined();
    expect(lease.deadline!).toBeLessThanOrEqual(secondSentBy + TTL * 1000);
    expect(lease.loss).toBeUndefined();
    await leases.close();
  });

  it("a late answer on a stream closed with the last lease's keepalive does not date the re-opened stream's request", async () => {
    const transport = createKeepAliveScript();
    const leases = createLease(transport);
    const lease = leases.attach(7n, { ttl: TTL });
    lease.keepAlive();
    await settle();
    const old = transport.streams[0]!;
    lease.release(); // the last kept-alive lease: the stream closes
    expect(old.aborted).toBe(true);

    await sleep(30);
    lease.keepAlive();
    const sentBy = monotonicNow();
    await settle();
    const fresh = transport.streams[1]!;
    expect(fresh.requests).toEqual([7n]);
    await sleep(30);
    old.answer(7n, TTL); // a late packet on the closed stream
    await settle();
    expect(lease.deadline).toBeUndefined();
    fresh.answer(7n, TTL);
    await settle();
    expect(lease.deadline!).toBeLessThanOrEqual(sentBy + TTL * 1000);
    await leases.close();
  });

  it("a stream that breaks with a renewal in flight: the re-opened stream's answer is dated by its own request", async () => {
    const transport = createKeepAliveScript();
    const leases = createLease(transport);
    const lease = leases.attach(7n, { ttl: TTL });
    lease.keepAlive();
    await settle();
    transport.streams[0]!.fail(new ConnectError("connection lost", Code.Unavailable));
    await eventually(() => transport.streams[1]?.requests.length === 1, 5_000, "the stream to re-open");
    const sentBy = monotonicNow();
    await sleep(30);
    transport.streams[1]!.answer(7n, TTL);
    await settle();
    expect(lease.deadline!).toBeLessThanOrEqual(sentBy + TTL * 1000);
    expect(leases.stats.streamsOpened).toBe(2);
    await leases.close();
  });

  it("a stalled stream is re-opened; its late answer changes nothing and the new answer is dated by the new request", async () => {
    const transport = createKeepAliveScript();
    const leases = createLease(transport);
    const lease = leases.attach(7n, { ttl: 1 }); // renewal interval ~333 ms
    lease.keepAlive();
    await settle();
    const stalled = transport.streams[0]!;
    await eventually(() => transport.streams[1]?.requests.length === 1, 5_000, "the stalled stream to be replaced");
    expect(stalled.aborted).toBe(true);
    const sentBy = monotonicNow();
    stalled.answer(7n, 1);
    await settle();
    expect(lease.deadline).toBeUndefined();
    await sleep(30);
    transport.streams[1]!.answer(7n, 1);
    await settle();
    expect(lease.deadline!).toBeLessThanOrEqual(sentBy + 1000);
    await leases.close();
  });
});

describe("stall detection", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("a renewal still unanswered at the next renewal marks the stream stalled, however the clocks round", async () => {
    // The renewal timer and the monotonic clock round differently: a request sent at one tick has
    // been seen at 999.7 ms old at the next tick of a 1000 ms interval. Modelled here by a send
    // time that reads 100 ms late, so timer lateness on a busy machine cannot hide it.
    const realNow = performance.now.bind(performance);
    let skew = 0;
    vi.spyOn(performance, "now").mockImplementation(() => realNow() + skew);
    const transport = createKeepAliveScript();
    const leases = createLease(transport);
    const lease = leases.attach(7n, { ttl: 3 }); // renewal interval 1000 ms
    lease.keepAlive();
    await settle();
    const stream = transport.streams[0]!;
    stream.answer(7n, 3); // the first request, sent at once
    setTimeout(() => (skew = 100), 500);
    setTimeout(() => (skew = 0), 1_500);
    await eventually(() => stream.requests.length === 2, 5_000, "the renewal at ~1000 ms"); // left unanswered
    await eventually(() => transport.streams.length === 2 || stream.requests.length === 3, 5_000, "the next renewal");
    expect(stream.requests).toHaveLength(2); // not sent again on the stalled stream...
    expect(transport.streams).toHaveLength(2); // ...which was replaced instead
    await leases.close();
  });
});
