/**
 * Cached get vs plain get, in one process against the same etcd: the leasing KV owns a key (a
 * 256-byte value) and answers it from memory; a plain KV on the same transport reads the same key
 * from etcd. The two alternate in pairs of windows (the first of each pair alternating), so load
 * and CPU steal hit both alike. Per window: calls, their latencies, and the process's CPU time.
 */
import { createKV, type KV } from "@etcdkit/kv";
import { createLeasingKV, type LeasingKV } from "@etcdkit/leasing";
import { createTransport } from "@etcdkit/transport";
import { LatencyRecorder } from "../stats.js";
import type { GetResult, LeasingSpec, SideResult } from "./spec.js";

interface Side {
  readonly read: () => Promise<unknown>;
  readonly latency: LatencyRecorder;
  ops: number;
  cpuUs: number;
  wallMs: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function window(side: Side, ms: number, record: boolean): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  let n = 0;
  for (;;) {
    const t = performance.now();
    if (t >= end) break;
    await side.read();
    if (record) side.latency.add((performance.now() - t) * 1000);
    // A cache hit never leaves the microtask queue: let timers (keepalives) and I/O run now and then.
    if (++n % 1024 === 0) await yieldToLoop();
  }
  if (!record) return;
  const used = process.cpuUsage(cpu);
  side.ops += n;
  side.cpuUs += used.user + used.system;
  side.wallMs += performance.now() - start;
}

function summary(side: Side): SideResult {
  const [p50, p99] = side.latency.percentiles([50, 99]);
  return { ops: side.ops, opsPerSec: (side.ops / side.wallMs) * 1000, p50Us: p50!, p99Us: p99!, cpuUsPerOp: side.cpuUs / side.ops };
}

export async function measureGets(spec: LeasingSpec): Promise<GetResult> {
  const transport = createTransport({ endpoints: [spec.url] });
  const kv: KV = createKV(transport);
  const lkv: LeasingKV = await createLeasingKV(transport, `${spec.name}/own/`, { ttl: 60 });
  const key = `${spec.name}/key`;
  await kv.put(key, "x".repeat(256));
  await lkv.get(key); // acquires: later gets are hits
  // Both sides return kv.get's { kv, revision, header }: a hit must hold the value and a header.
  const hit = await lkv.get(key);
  if (hit.kv?.value.length !== 256 || hit.header.memberId === 0n) throw new Error("leasing bench: a cache hit did not return the key's value and a header");
  const cached: Side = { read: async () => (await lkv.get(key)).kv, latency: new LatencyRecorder(), ops: 0, cpuUs: 0, wallMs: 0 };
  const plain: Side = { read: async () => (await kv.get(key)).kv, latency: new LatencyRecorder(), ops: 0, cpuUs: 0, wallMs: 0 };
  const warmEnd = performance.now() + spec.warmupMs;
  while (performance.now() < warmEnd) {
    await window(cached, 100, false);
    await window(plain, 100, false);
  }
  const hitsBefore = lkv.stats.hits;
  const missesBefore = lkv.stats.misses;
  for (let i = 0; i < spec.pairs; i++) {
    const order = i % 2 === 0 ? [cached, plain] : [plain, cached];
    for (const side of order) await window(side, spec.windowMs, true);
  }
  const result: GetResult = { cached: summary(cached), plain: summary(plain), hits: lkv.stats.hits - hitsBefore, misses: lkv.stats.misses - missesBefore };
  await lkv.close();
  await transport.close();
  return result;
}
