/**
 * The owner of the write cell, in its own process (as another client would be): a leasing KV that
 * acquires `count` keys, prints "ready", and keeps them (giving each up when the writer asks)
 * until its stdin closes. Spawned by revoke-write.ts with its spec as argument.
 */
import { createLeasingKV } from "@etcdkit/leasing";
import { createTransport } from "@etcdkit/transport";

interface OwnerSpec {
  readonly url: string;
  readonly prefix: string;
  readonly keys: readonly string[];
}

const spec = JSON.parse(process.argv[2]!) as OwnerSpec;
const transport = createTransport({ endpoints: [spec.url] });
const lkv = await createLeasingKV(transport, spec.prefix, { ttl: 60 });
for (const key of spec.keys) await lkv.get(key);
if (lkv.stats.acquired !== spec.keys.length) throw new Error(`owner acquired ${lkv.stats.acquired} of ${spec.keys.length} keys`);
process.stdout.write("ready\n");
process.stdin.resume();
process.stdin.on("end", () => {
  process.stdout.write(`released ${lkv.stats.released}\n`);
  void lkv.close().finally(() => transport.close()).finally(() => process.exit(0));
});
