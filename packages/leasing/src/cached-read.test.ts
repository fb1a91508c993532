/**
 * Reads and comparisons answered from a cached value, against etcd's own semantics: every case is
 * also sent to a real etcd holding the same key, and the answers must be equal.
 */
import { compare, createKV, op, type Comparison, type GetOp, type KV } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import type { KeyValue } from "@etcdkit/transport";
import { toResponseHeader } from "@etcdkit/transport/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateComparison, readValue } from "./cached-read.js";
import { closeAll, connect, snapshot, unique } from "./leasing-test-env.test-helpers.js";

describe("answers from a cached value equal etcd's (real etcd)", () => {
  let cluster: EtcdCluster;
  let kv: KV;
  let present: KeyValue;
  let leased: KeyValue;
  let missing: string;
  beforeAll(async () => {
    cluster = await startEtcd();
    kv = createKV(connect(cluster.clientUrls));
    const key = unique("k");
    await kv.put(key, "abc");
    await kv.put(key, "abcd");
    present = (await kv.get(key)).kv!;
    const lease = await createLease(connect(cluster.clientUrls)).grant(60);
    await kv.put(unique("leased"), "x", { lease: lease.id });
    leased = (await kv.getAll({ keysOnly: false })).kvs.find((item) => item.lease === lease.id)!;
    missing = unique("missing");
  });
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  const reads: Array<[string, object]> = [
    ["plain", {}],
    ["keysOnly", { keysOnly: true }],
    ["countOnly", { countOnly: true }],
    ["minModRevision above", { minModRevision: 1_000_000n }],
    ["maxModRevision below", { maxModRevision: 1n }],
    ["minCreateRevision above", { minCreateRevision: 1_000_000n }],
    ["maxCreateRevision below", { maxCreateRevision: 1n }],
    ["filters that keep it", { minModRevision: 1n, maxModRevision: 1_000_000n, minCreateRevision: 1n, maxCreateRevision: 1_000_000n }],
    ["countOnly with a filter", { countOnly: true, maxModRevision: 1n }],
    ["serializable keysOnly", { serializable: true, keysOnly: true }],
  ];

  it.each(reads)("a single-key read (%s) of an existing and of a missing key", async (_name, options) => {
    for (const [key, value] of [[present.keyText(), present], [missing, null]] as const) {
      const get = op.get(key, options as never) as GetOp;
      const etcd = await kv.do(get);
      const mine = readValue(value, etcd.revision, etcd.header, get);
      expect(snapshot(mine)).toEqual(snapshot(etcd));
      expect(JSON.parse(JSON.stringify(mine))).toEqual(JSON.parse(JSON.stringify(etcd))); // header, revision and more too
    }
  });

  it("a read returns a copy: changing its bytes changes nothing cached", () => {
    const header = toResponseHeader(undefined, 1n);
    const first = readValue(present, 1n, header, op.get(present.key)).kvs[0]!;
    first.value[0] = 0;
    expect(readValue(present, 1n, header, op.get(present.key)).kvs[0]!.text()).toBe("abcd");
  });

  it("every comparison target and operator, on an existing, a leased and a missing key, as etcd evaluates it", async () => {
    const cases: Array<[Comparison, KeyValue | null]> = [];
    for (const [target, value] of [[present, present], [leased, leased], [null, null]] as const) {
      const key = target?.keyText() ?? missing;
      for (const operator of ["=", "!=", "<", ">"] as const) {
        cases.push([compare.value(key, operator, "abcd"), value]);
        cases.push([compare.value(key, operator, ""), value]);
        cases.push([compare.version(key, operator, 2), value]);
        cases.push([compare.version(key, operator, 0), value]);
        cases.push([compare.createRevision(key, operator, present.createRevision), value]);
        cases.push([compare.modRevision(key, operator, present.modRevision), value]);
        cases.push([compare.lease(key, operator, 0n), value]);
        cases.push([compare.lease(key, operator, leased.lease), value]);
      }
    }
    const mine = cases.map(([comparison, value]) => evaluateComparison(comparison, value));
    const etcd = await Promise.all(cases.map(async ([comparison]) => (await kv.txn().if(comparison).commit()).succeeded));
    expect(mine).toEqual(etcd);
  });
});
