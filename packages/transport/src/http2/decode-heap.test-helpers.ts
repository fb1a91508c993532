/**
 * Child process for decode-limits.test.ts: one Range against `<endpoint>` (a hostile server),
 * with the transport's default options, then prints the heap it costs as JSON:
 * `{ outcome, heapMiB }` (heap used after a full GC with the response held, minus before).
 * Run with --expose-gc and a bounded heap: a decoder that blows up aborts the process.
 *
 * usage: node --expose-gc --max-old-space-size=<MiB> --import tsx --conditions=@etcdkit/source decode-heap.test-helpers.ts <endpoint>
 */
import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport } from "../transport/create-transport.js";

const gc = (globalThis as { gc?: () => void }).gc!;
const [endpoint] = process.argv.slice(2);
const transport = createTransport({ endpoints: [endpoint!] });
const kv = createClient(KV, transport);
gc();
const before = process.memoryUsage().heapUsed;
const outcome = await kv.range({ key: new TextEncoder().encode("k") }, { timeoutMs: 60_000 }).then(
  (response) => ({ held: response, outcome: "answered" }),
  (err: { reason?: string }) => ({ held: undefined, outcome: err.reason ?? "?" }),
);
gc();
const heapMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
console.log(JSON.stringify({ outcome: outcome.outcome, heapMiB: Math.round(heapMiB * 10) / 10, kvs: outcome.held?.kvs.length }));
await transport.close();
