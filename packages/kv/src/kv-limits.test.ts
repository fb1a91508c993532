/**
 * Server limits and server errors against a real etcd started with `--max-txn-ops=16` and
 * `--max-request-bytes=65536`: each error arrives with its typed reason and is never retried
 * (exactly one request reaches the server per failing call).
 */
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError, type EtcdErrorReason, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KV } from "./kv.js";
import { connectKV, uniquePrefix } from "./kv-test-env.test-helpers.js";
import { op } from "./op-builders.js";
import type { PutOp } from "./ops.js";

describe("server limits and errors, against etcd --max-txn-ops=16 --max-request-bytes=65536", () => {
  let cluster: EtcdCluster;
  let kv: KV;
  let transport: EtcdTransport;
  let close: () => Promise<void>;
  beforeAll(async () => {
    cluster = await startEtcd({ flags: ["--max-txn-ops=16", "--max-request-bytes=65536"] });
    ({ kv, transport, close } = connectKV(cluster.endpoints));
  });
  afterAll(async () => {
    await close?.();
    await cluster?.stop();
  });

  /** Runs `call`, expects it to fail with `reason` after exactly one request and no retry. */
  async function failsOnce(reason: EtcdErrorReason, call: () => Promise<unknown>): Promise<void> {
    const before = { ...transport.stats };
    const error = await call().catch((e: unknown) => e);
    expect(isEtcdError(error, reason), `expected ${reason}, got ${String(error)}`).toBe(true);
    expect(transport.stats.streams - before.streams).toBe(1);
    expect(transport.stats.retries - before.retries).toBe(0);
  }

  const puts = (prefix: string, n: number): PutOp[] => Array.from({ length: n }, (_, i) => op.put(`${prefix}${i}`, "v"));

  it("a txn of 16 ops passes; 17 ops fail with too-many-ops", async () => {
    const p = uniquePrefix("ops");
    const ok = await kv.do(op.txn({ then: puts(p, 16) }));
    expect(ok.succeeded).toBe(true);
    expect(ok.responses).toHaveLength(16);
    await failsOnce("too-many-ops", () => kv.do(op.txn({ then: puts(`${p}x`, 17) })));
    expect((await kv.getPrefix(`${p}x`, { countOnly: true })).count).toBe(0);
  });

  it("a put of 60 KiB passes; a put larger than --max-request-bytes fails with request-too-large", async () => {
    const p = uniquePrefix("size");
    await kv.put(`${p}small`, new Uint8Array(60 * 1024));
    await failsOnce("request-too-large", () => kv.put(`${p}large`, new Uint8Array(70 * 1024)));
    expect((await kv.get(`${p}large`)).kv).toBeUndefined();
  });

  it("two writes of one key in a txn fail with duplicate-key", async () => {
    const p = uniquePrefix("dup");
    await failsOnce("duplicate-key", () => kv.txn().then(op.put(`${p}a`, "1"), op.put(`${p}a`, "2")).commit());
    await failsOnce("duplicate-key", () =>
      kv.txn().then(op.put(`${p}a/1`, "1"), op.delete(`${p}a/`, { prefix: true })).commit(),
    );
    expect((await kv.get(`${p}a`)).kv).toBeUndefined();
  });

  it("a read at a future revision fails with future-revision", async () => {
    const { revision } = await kv.put(`${uniquePrefix("future")}a`, "v");
    await failsOnce("future-revision", () => kv.get("a", { revision: revision + 1000n }));
    await failsOnce("future-revision", () => kv.getPrefix("", { revision: revision + 1000n }));
  });

  it("a read at a compacted revision fails with compacted, also inside a txn", async () => {
    const p = uniquePrefix("compacted");
    const old = await kv.put(`${p}a`, "1");
    const { revision } = await kv.put(`${p}a`, "2");
    await kv.compact(revision);
    await failsOnce("compacted", () => kv.get(`${p}a`, { revision: old.revision }));
    await failsOnce("compacted", () => kv.txn().then(op.get(`${p}a`, { revision: old.revision })).commit());
    await failsOnce("compacted", () => kv.compact(old.revision));
  });
});
