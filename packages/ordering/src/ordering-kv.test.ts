/**
 * createOrderingKV against 3 real etcd members, one of them isolated (its raft traffic held both
 * ways, so it applies nothing and serves serializable reads from the past): a plain KV's
 * serializable reads go back in time when they reach it; the ordering KV's never do (stale
 * answers are retried on the next endpoint), a hook sees each stale answer, Go's policy gives up
 * with "unavailable" when only the stale member is there, and a hook can give up at once.
 */
import { createClient, type Transport } from "@connectrpc/connect";
import { Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createKV, op } from "@etcdkit/kv";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, isEtcdError, type EtcdTransport, type Revision } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { switchEndpointPolicy, type OrderViolation } from "./order-violation.js";
import { createOrderingKV } from "./ordering-kv.js";

describe("createOrderingKV with a member that applies nothing, 3 real members", () => {
  let cluster: EtcdCluster;
  let stale: string;
  let healthy: string[];
  let root: EtcdTransport;
  let freshRevision: Revision;
  const transports: EtcdTransport[] = [];
  const connect = (endpoints: string[]): EtcdTransport => {
    const transport = createTransport({ endpoints, dialTimeoutMs: 5_000 });
    transports.push(transport);
    return transport;
  };

  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, peerProxy: true, flags: ["--pre-vote"] });
    root = connect(cluster.endpoints);
    // Isolate a follower, so that the majority keeps its leader and commits at once.
    const statuses = await Promise.all(cluster.endpoints.map((url) => createClient(Maintenance, root.forEndpoint(url)).status({})));
    const follower = statuses.findIndex((s) => s.header?.memberId !== s.leader);
    stale = cluster.endpoints[follower]!;
    healthy = cluster.endpoints.filter((url) => url !== stale);
    const kv = createKV(root);
    await kv.put("k", "before");
    await vi.waitFor(async () => expect((await createKV(root.forEndpoint(stale)).get("k", { serializable: true }))?.text()).toBe("before"));
    await cluster.isolate(follower);
    const writer = createKV(connect(healthy));
    for (let i = 0; i < 5; i++) freshRevision = (await writer.put("k", `after ${i}`)).revision;
  }, 120_000);

  afterAll(async () => {
    for (const transport of transports) await transport.close();
    await cluster?.stop();
  });

  /** A transport to the stale member and one healthy member, both connected (calls alternate between them). */
  async function staleAndHealthy(): Promise<EtcdTransport> {
    const transport = connect([stale, healthy[0]!]);
    for (const url of [stale, healthy[0]!]) await createClient(Maintenance, transport.forEndpoint(url)).status({});
    return transport;
  }

  it("a plain KV's serializable reads go back in time when they reach the isolated member", async () => {
    const kv = createKV(await staleAndHealthy());
    const revisions: bigint[] = [];
    for (let i = 0; i < 8; i++) revisions.push((await kv.range("k", { serializable: true })).revision);
    expect(revisions.some((r) => r >= freshRevision)).toBe(true);
    expect(revisions.some((r) => r < freshRevision)).toBe(true);
  });

  it("the ordering KV never answers below the highest revision it saw; stale answers go to the hook and are retried elsewhere", async () => {
    const violations: OrderViolation[] = [];
    const kv = createOrderingKV(await staleAndHealthy(), {
      onViolation: (v) => {
        violations.push(v);
        switchEndpointPolicy(v);
      },
    });
    // Until it has seen the fresh revision, an answer from the stale member is not a violation.
    for (let i = 0; i < 8 && kv.revision < freshRevision; i++) await kv.range("k", { serializable: true });
    expect(kv.revision).toBeGreaterThanOrEqual(freshRevision);
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) {
      const result = await kv.range("k", { serializable: true });
      expect(result.revision).toBeGreaterThanOrEqual(freshRevision);
      answers.push(result.kvs[0]!.text());
    }
    expect(new Set(answers)).toEqual(new Set(["after 4"]));
    expect(violations.length).toBeGreaterThan(0);
    for (const v of violations) {
      expect(v.previousRevision).toBeGreaterThanOrEqual(freshRevision);
      expect(v.revision).toBeLessThan(v.previousRevision);
      expect(v.op.type).toBe("get");
      expect(v.endpoints).toBe(2);
    }
    // Retries go endpoint after endpoint: with one stale member of two, a call needs at most two.
    expect(violations.every((v) => v.count <= 2)).toBe(true);
    expect((await kv.get("k", { serializable: true }))?.text()).toBe("after 4");
  });

  /** A transport that forwards every call to `target.current`, which the test switches; it cannot address members. */
  function switchable(first: EtcdTransport, member: string): { transport: Transport; toMember(): void } {
    let current: Transport = first.forEndpoint(member);
    const transport: Transport = {
      unary: (...args) => current.unary(...args),
      stream: (...args) => current.stream(...args),
    };
    return { transport, toMember: () => void (current = first.forEndpoint(stale)) };
  }

  it("after a put answered at R, a read from the stale member is refused; Go's policy retries 5 × endpoints times, then fails unavailable", async () => {
    const route = switchable(connect(cluster.endpoints), healthy[0]!);
    const counts: number[] = [];
    const kv = createOrderingKV(route.transport, {
      onViolation: (v) => {
        counts.push(v.count);
        switchEndpointPolicy(v);
      },
    });
    const { revision } = await kv.put("w", "1"); // answered by a healthy member
    expect(kv.revision).toBe(revision);
    route.toMember(); // from now on only the stale member answers (this transport cannot switch)
    const error = await kv.get("w", { serializable: true }).catch((e: unknown) => e);
    expect(isEtcdError(error, "unavailable")).toBe(true);
    expect(String((error as Error).message)).toContain(`revision ${revision} or later`);
    expect(counts).toEqual([1, 2, 3, 4, 5, 6]); // 5 × 1 endpoint retries, then it gives up
    expect(kv.revision).toBe(revision);
  });

  it("a hook that throws fails the call (a get, a serializable txn) with its error at the first stale answer", async () => {
    const route = switchable(connect(cluster.endpoints), healthy[0]!);
    const mine = new Error("stale read refused");
    let calls = 0;
    const kv = createOrderingKV(route.transport, {
      onViolation: () => {
        calls++;
        throw mine;
      },
    });
    await kv.range("k"); // linearizable, from a healthy member: the fresh revision
    route.toMember();
    // etcd serves a txn whose ops are all serializable reads from the member's own state: checked too.
    await expect(kv.do(op.txn({ then: [op.get("k", { serializable: true })] }))).rejects.toBe(mine);
    expect(calls).toBe(1);
    await expect(kv.get("k", { serializable: true })).rejects.toBe(mine);
    expect(calls).toBe(2);
  });

  it("timeoutMs bounds the whole call, retries included", async () => {
    const route = switchable(connect(cluster.endpoints), healthy[0]!);
    const kv = createOrderingKV(route.transport, { onViolation: () => new Promise((resolve) => setTimeout(resolve, 200)) });
    await kv.range("k");
    route.toMember();
    const error = await kv.get("k", { serializable: true, timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(isEtcdError(error, "deadline-exceeded")).toBe(true);
  });

  it("bad arguments fail invalid-argument at once", () => {
    expect(() => createOrderingKV({} as never)).toThrow(/Transport/);
    expect(() => createOrderingKV(root, { onViolation: 5 as never })).toThrow(/onViolation/);
  });
});
