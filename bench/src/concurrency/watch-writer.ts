/**
 * The writer of the watch-latency baseline, in its own process (as the lock holder of a hand-off
 * is): puts `count` values to `key` every `gapMs`, then prints the time (ms since the epoch, high
 * resolution) each put was called. Spawned by handoff.ts with its spec as argument.
 */
import { createKV } from "@etcdkit/kv";
import { createTransport } from "@etcdkit/transport";

const spec = JSON.parse(process.argv[2]!) as { url: string; key: string; count: number; gapMs: number };
const transport = createTransport({ endpoints: [spec.url] });
const kv = createKV(transport);
for (let i = 0; i < 30; i++) await kv.put(`${spec.key}-warmup`, String(i));
process.stdout.write("ready\n");
await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
const sent: number[] = [];
for (let i = 0; i < spec.count; i++) {
  sent.push(performance.timeOrigin + performance.now());
  await kv.put(spec.key, String(i));
  await new Promise((resolve) => setTimeout(resolve, spec.gapMs));
}
process.stdout.write(`${JSON.stringify(sent)}\n`);
await transport.close();
process.exit(0);
