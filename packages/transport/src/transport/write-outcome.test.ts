import * as http2 from "node:http2";
import { createClient } from "@connectrpc/connect";
import { KV, Lease } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { createGrpcHop, type GrpcHop } from "../grpc-hop.test-helpers.js";
import { bytes, text } from "../test-support.test-helpers.js";
import { createTransport, type EtcdTransport } from "./create-transport.js";

const settle = <T>(promise: Promise<T>): Promise<{ value?: T; error?: EtcdError }> =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error as EtcdError }),
  );

/**
 * `outcomeUnknown` on the final error of a write: true whenever its request may have reached
 * etcd and no definitive etcd answer says it was not applied, whatever the reason.
 */
describe("writes whose outcome is unknown", () => {
  let cluster: EtcdCluster;
  let proxy: TcpProxy;
  let direct: EtcdTransport;
  let hop: GrpcHop;

  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    proxy = cluster.members[0]!.proxy!;
    direct = createTransport({ endpoints: [cluster.members[0]!.clientUrl] });
    hop = await createGrpcHop(cluster.members[0]!.clientUrl);
  });
  afterEach(() => {
    proxy.setMode("pass");
    hop.setMode({ kind: "forward" });
  });
  afterAll(async () => {
    await hop?.close();
    await direct?.close();
    await cluster?.stop();
  });

  const readBack = async (key: string): Promise<string | undefined> => {
    const { kvs } = await createClient(KV, direct).range({ key: bytes(key) }, { timeoutMs: 5000 });
    return kvs[0] === undefined ? undefined : text(kvs[0].value);
  };

  it("puts with short deadlines: every put that failed but was applied says outcomeUnknown; one that says false was not applied", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("warm") });
    // 10 rounds of 20 concurrent puts with deadlines of 1 to 20 ms: some succeed, some fail before
    // etcd saw them, some fail after etcd applied them.
    const outcomes: Array<{ error?: EtcdError }> = [];
    for (let round = 0; round < 10; round++) {
      const batch = Array.from({ length: 20 }, (_, j) => {
        const i = round * 20 + j;
        return settle(kv.put({ key: bytes(`outcome/deadline/${i}`), value: bytes(`v${i}`) }, { timeoutMs: 1 + j }));
      });
      outcomes.push(...(await Promise.all(batch)));
    }
    const { kvs } = await createClient(KV, direct).range(
      { key: bytes("outcome/deadline/"), rangeEnd: bytes("outcome/deadline0") },
      { timeoutMs: 5000 },
    );
    const applied = new Set(kvs.map((item) => text(item.key)));
    const failed = outcomes.flatMap((o, i) => (o.error === undefined ? [] : [{ key: `outcome/deadline/${i}`, error: o.error }]));
    const appliedButFailed = failed.filter((f) => applied.has(f.key));
    expect(failed.length).toBeGreaterThan(0);
    for (const f of appliedButFailed) expect(f.error.outcomeUnknown, `${f.key}: ${f.error.reason}`).toBe(true);
    for (const f of failed.filter((f) => !f.error.outcomeUnknown)) expect(applied.has(f.key), f.key).toBe(false);
    // Every acknowledged put is there.
    outcomes.forEach((o, i) => {
      if (o.error === undefined) expect(applied.has(`outcome/deadline/${i}`)).toBe(true);
    });
  });

  it("a Put that etcd applied but whose answer is held fails at its deadline with outcomeUnknown", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("warm") });
    proxy.setMode("drop-responses");
    const put = await settle(kv.put({ key: bytes("outcome/dropped"), value: bytes("applied") }, { timeoutMs: 500 }));
    expect(put.error?.reason).toBe("deadline-exceeded");
    expect(put.error?.outcomeUnknown).toBe(true);
    expect(await readBack("outcome/dropped")).toBe("applied");
  });

  it("a Put whose answer never comes fails at its deadline with outcomeUnknown; a Range never has it", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("warm") });
    proxy.setMode("blackhole");
    const put = await settle(kv.put({ key: bytes("outcome/held"), value: bytes("v") }, { timeoutMs: 300 }));
    expect(put.error?.reason).toBe("deadline-exceeded");
    expect(put.error?.outcomeUnknown).toBe(true);
    const range = await settle(kv.range({ key: bytes("outcome/held") }, { timeoutMs: 300 }));
    expect(range.error?.reason).toBe("deadline-exceeded");
    expect(range.error?.outcomeUnknown).toBe(false);
  });

  it("a write that etcd rejects with a definitive typed error has outcomeUnknown false", async () => {
    const kv = createClient(KV, direct);
    const empty = await settle(kv.put({ key: new Uint8Array(0), value: bytes("v") }));
    expect(empty.error?.reason).toBe("empty-key");
    const duplicate = await settle(
      kv.txn({
        success: [
          { request: { case: "requestPut", value: { key: bytes("outcome/dup"), value: bytes("1") } } },
          { request: { case: "requestPut", value: { key: bytes("outcome/dup"), value: bytes("2") } } },
        ],
      }),
    );
    expect(duplicate.error?.reason).toBe("duplicate-key");
    const { header } = await kv.put({ key: bytes("outcome/compact"), value: bytes("1") });
    await kv.put({ key: bytes("outcome/compact"), value: bytes("2") });
    await kv.compact({ revision: header!.revision + 1n });
    // Rejected after raft applied it: a txn reading a compacted revision changes nothing.
    const compacted = await settle(
      kv.txn({
        success: [
          { request: { case: "requestRange", value: { key: bytes("outcome/compact"), revision: header!.revision } } },
          { request: { case: "requestPut", value: { key: bytes("outcome/compact"), value: bytes("3") } } },
        ],
      }),
    );
    expect(compacted.error?.reason).toBe("compacted");
    const leaseMissing = await settle(kv.put({ key: bytes("outcome/lease"), value: bytes("v"), lease: 424242n }));
    expect(leaseMissing.error?.reason).toBe("lease-not-found");
    for (const outcome of [empty, duplicate, compacted, leaseMissing]) expect(outcome.error?.outcomeUnknown).toBe(false);
    expect(await readBack("outcome/compact")).toBe("2");
  });

  describe("through an L7 hop that fails calls without an etcd answer", () => {
    it.each([
      ["grpc-status 14", { kind: "grpc-status", status: 14, forward: true } as const],
      ["HTTP 503", { kind: "http-status", status: 503, forward: true } as const],
      ["HTTP 502", { kind: "http-status", status: 502, forward: true } as const],
    ])("a Put answered %s after etcd applied it fails outcome-unknown and is not resent", async (name, mode) => {
      await using transport = createTransport({ endpoints: [hop.url] });
      const key = `outcome/hop/${name}`;
      hop.setMode(mode);
      const before = hop.received.length;
      const put = await settle(createClient(KV, transport).put({ key: bytes(key), value: bytes("v") }, { timeoutMs: 5000 }));
      expect(put.error?.reason).toBe("outcome-unknown");
      expect(put.error?.outcomeUnknown).toBe(true);
      expect(hop.received.length - before).toBe(1);
      expect(await readBack(key)).toBe("v"); // it was applied
    });

    it("a Range answered grpc-status 14 or HTTP 503 is retried, as before", async () => {
      await using transport = createTransport({ endpoints: [hop.url] });
      const kv = createClient(KV, transport);
      await kv.put({ key: bytes("outcome/hop/read"), value: bytes("r") });
      for (const mode of [{ kind: "grpc-status", status: 14, times: 2 } as const, { kind: "http-status", status: 503, times: 2 } as const]) {
        hop.setMode(mode);
        const retries = transport.stats.retries;
        const range = await settle(kv.range({ key: bytes("outcome/hop/read") }, { timeoutMs: 5000 }));
        expect(range.error).toBeUndefined();
        expect(text(range.value!.kvs[0]!.value)).toBe("r");
        expect(transport.stats.retries - retries).toBe(2);
      }
    });

    it("a repeatable write retried after an ambiguous attempt keeps outcomeUnknown on its final typed answer", async () => {
      await using transport = createTransport({ endpoints: [hop.url] });
      const lease = createClient(Lease, transport);
      const { ID } = await lease.leaseGrant({ TTL: 60n });
      // The revoke reaches etcd (revoked), the hop answers 14; the retry is told lease-not-found.
      hop.setMode({ kind: "grpc-status", status: 14, forward: true, times: 1 });
      const revoke = await settle(lease.leaseRevoke({ ID }, { timeoutMs: 5000 }));
      expect(revoke.error?.reason).toBe("lease-not-found");
      expect(revoke.error?.outcomeUnknown).toBe(true);
      // The same for a grant with an explicit ID: lease-exists after the retry.
      hop.setMode({ kind: "grpc-status", status: 14, forward: true, times: 1 });
      const grant = await settle(lease.leaseGrant({ ID: 777_001n, TTL: 60n }, { timeoutMs: 5000 }));
      expect(grant.error?.reason).toBe("lease-exists");
      expect(grant.error?.outcomeUnknown).toBe(true);
      // Without an ambiguous attempt, the same answers are definitive.
      const again = await settle(lease.leaseGrant({ ID: 777_001n, TTL: 60n }, { timeoutMs: 5000 }));
      expect(again.error?.reason).toBe("lease-exists");
      expect(again.error?.outcomeUnknown).toBe(false);
    });
  });

  it("a GOAWAY with an error code: the call it covers is outcome-unknown, the calls above its last-stream-id were never processed and are retried", async () => {
    await using transport = createTransport({ endpoints: [hop.url] });
    const kv = createClient(KV, transport);
    await kv.range({ key: bytes("warm") });
    hop.setMode({ kind: "goaway", code: http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, streams: 2 });
    const before = hop.received.length;
    const [first, second] = await Promise.all([
      settle(kv.put({ key: bytes("outcome/goaway/first"), value: bytes("1") }, { timeoutMs: 5000 })),
      settle(kv.put({ key: bytes("outcome/goaway/second"), value: bytes("2") }, { timeoutMs: 5000 })),
    ]);
    expect(first.error?.reason).toBe("outcome-unknown");
    expect(second.error).toBeUndefined();
    expect(hop.received.length - before).toBe(3); // the second put was sent again, once
    expect(await readBack("outcome/goaway/first")).toBe("1"); // processed before the GOAWAY
    const { kvs } = await createClient(KV, direct).range({ key: bytes("outcome/goaway/second") });
    expect(kvs[0]?.version).toBe(1n); // applied once
  });
});
