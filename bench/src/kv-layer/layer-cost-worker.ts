/**
 * Worker of the kv suite's layer-cost measurement: the `raw` and `etcdkit-kv` calls of clients.ts
 * on a fake Connect transport, in one process, with no I/O. The fake does per call what etcdkit's
 * transport does with a request and a response (create + toBinary the request, fromBinary a canned
 * response), so the difference between the two clients is the CPU of the @etcdkit/kv layer alone.
 * Spawned by measureLayerCost() as `node <loader flags> layer-cost-worker.ts '<LayerCostSpec JSON>'`.
 */
import { create, fromBinary, isMessage, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { KV, PutResponseSchema, RangeResponseSchema, TxnResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { median } from "../stats.js";
import { etcdkitKvCalls, rawCalls, type KvLayerCalls } from "./clients.js";
import type { LayerCostResult, LayerCostSpec } from "./layer-cost.js";
import { runAsWorker } from "../worker-process.js";
import { loopKeys, type KvLayerWorkload } from "./workloads.js";

/** Responses shaped like etcd's to the suite's calls (one 256-byte kv for reads), encoded once. */
function cannedResponses(key: Uint8Array, value: Uint8Array): Map<string, Uint8Array> {
  const header = { clusterId: 14841639068965178418n, memberId: 10276657743932975437n, revision: 123_456n, raftTerm: 2n };
  const kv = { key, value, createRevision: 1_000n, modRevision: 123_000n, version: 42n };
  const range = { header, kvs: [kv], count: 1n };
  return new Map<string, Uint8Array>([
    [KV.method.put.name, toBinary(PutResponseSchema, create(PutResponseSchema, { header }))],
    [KV.method.range.name, toBinary(RangeResponseSchema, create(RangeResponseSchema, range))],
    [
      KV.method.txn.name,
      toBinary(
        TxnResponseSchema,
        create(TxnResponseSchema, {
          header,
          succeeded: true,
          responses: [
            { response: { case: "responsePut", value: { header } } },
            { response: { case: "responsePut", value: { header } } },
            { response: { case: "responseRange", value: range } },
            { response: { case: "responseDeleteRange", value: { header, deleted: 0n } } },
          ],
        }),
      ),
    ],
  ]);
}

/** Keeps the encoded requests observable, so their encoding cannot be optimized away. */
let encodedBytes = 0;

function fakeTransport(canned: Map<string, Uint8Array>): Transport {
  const header = new Headers();
  const trailer = new Headers();
  return {
    unary(method, _signal, _timeoutMs, _header, input) {
      // What etcdkit's encodeRequest does: create() unless given a message, then toBinary().
      const schema: DescMessage = method.input;
      const request = isMessage(input, schema) ? input : create(schema, input as MessageInitShape<DescMessage>);
      encodedBytes += toBinary(schema, request).length;
      const bytes = canned.get(method.name);
      if (bytes === undefined) return Promise.reject(new Error(`no canned response for ${method.name}`));
      return Promise.resolve({ stream: false as const, service: method.parent, method, header, trailer, message: fromBinary(method.output, bytes) });
    },
    stream() {
      return Promise.reject(new Error("the layer-cost fake transport has no streams"));
    },
  };
}

/** Untimed calls of both clients on an op before its measured rounds. */
const SETTLE_MS = 150;

/** Runs `call` back to back (awaiting each) for at least `ms`; returns CPU µs per call. */
async function cpuPerCall(call: () => Promise<unknown>, ms: number): Promise<number> {
  let calls = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  do {
    for (let i = 0; i < 200; i++) await call();
    calls += 200;
  } while (performance.now() - t0 < ms);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / calls;
}

async function measure(spec: LayerCostSpec): Promise<LayerCostResult> {
  const keys = loopKeys(spec.keyPrefix, 0);
  const value = Buffer.alloc(spec.valueBytes, "v");
  const transport = fakeTransport(cannedResponses(new TextEncoder().encode(keys.key), value));
  const clients: [string, KvLayerCalls][] = [
    ["raw", rawCalls(transport)],
    ["etcdkit-kv", etcdkitKvCalls(transport)],
  ];
  const call = (calls: KvLayerCalls, op: KvLayerWorkload["op"]): (() => Promise<unknown>) =>
    op === "put" ? calls.put(keys, value) : op === "get" ? calls.get(keys) : calls.txn4(keys, value);
  const variants = spec.ops.flatMap((op) => clients.map(([name, calls]) => ({ op, name, call: call(calls, op) })));
  for (const v of variants) await cpuPerCall(v.call, spec.warmupMs);
  const samples = new Map<string, number[]>(variants.map((v) => [`${v.op}/${v.name}`, []]));
  const differences = new Map<string, number[]>(spec.ops.map((op) => [op, []]));
  for (const op of spec.ops) {
    // One op at a time: switching ops costs the next window extra (shared code re-optimizing for
    // other message shapes, the previous op's garbage), so settle both clients on the op first.
    const pair = variants.filter((v) => v.op === op);
    for (const v of pair) await cpuPerCall(v.call, SETTLE_MS);
    for (let round = 0; round < spec.rounds; round++) {
      // The two clients back to back, the first one alternating, so that a drift of the machine
      // hits both alike; the layer cost is the median of these paired differences.
      const perCall = new Map<string, number>();
      for (const v of round % 2 === 0 ? pair : [...pair].reverse()) {
        const us = await cpuPerCall(v.call, spec.msPerRound);
        perCall.set(v.name, us);
        samples.get(`${op}/${v.name}`)!.push(us);
      }
      differences.get(op)!.push(perCall.get("etcdkit-kv")! - perCall.get("raw")!);
    }
  }
  return {
    cpuUsPerCall: Object.fromEntries([...samples].map(([k, v]) => [k, median(v)])),
    layerUsPerCall: Object.fromEntries([...differences].map(([k, v]) => [k, median(v)])),
    encodedBytes,
  };
}

runAsWorker(measure);
