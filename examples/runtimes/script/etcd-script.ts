/**
 * The script the runtime tests run in Bun and Deno (bundled with esbuild into one file): put,
 * get, a txn, a watch and a lease with keepalive, over the transport named by ETCD_TRANSPORT
 * ("grpc": node:http2, which both runtimes provide; "gateway": fetch). Prints one JSON line with
 * what it saw; the test asserts on it.
 *
 * @example
 * ETCD_ENDPOINT=http://127.0.0.1:2379 ETCD_TRANSPORT=gateway bun bundle.mjs
 */
import { createTransport } from "@etcdkit/transport";
import { createGatewayTransport } from "@etcdkit/transport/gateway";
import { compare, createKV, op } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { createWatch } from "@etcdkit/watch";

declare const Bun: { version: string } | undefined;
declare const Deno: { version: { deno: string }; env: { toObject(): Record<string, string> }; exit(code: number): never } | undefined;

const env: Record<string, string | undefined> =
  typeof Deno !== "undefined" ? Deno.env.toObject() : (globalThis as { process?: { env: Record<string, string> } }).process!.env;
const runtime = typeof Bun !== "undefined" ? `bun ${Bun.version}` : typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : "node";
const endpoint = env["ETCD_ENDPOINT"]!;
const kind = env["ETCD_TRANSPORT"] === "gateway" ? "gateway" : "grpc";
const prefix = `runtime/${kind}/${Math.random().toString(36).slice(2)}/`;

const transport = kind === "gateway" ? createGatewayTransport({ endpoints: [endpoint] }) : createTransport({ endpoints: [endpoint] });
const kv = createKV(transport);
const watcher = createWatch(transport);
const leases = createLease(transport);

const watch = watcher.watch(prefix, { prefix: true });
await watch.ready;
const { revision } = await kv.put(`${prefix}a`, "1");
const got = (await kv.get(`${prefix}a`))?.text();
const txn = await kv.txn().if(compare.value(`${prefix}a`, "=", "1")).then(op.put(`${prefix}b`, "2"), op.get(`${prefix}a`)).commit();

const events: string[] = [];
for await (const batch of watch) {
  for (const e of batch.events) events.push(`${e.type} ${e.kv.keyText().slice(prefix.length)}=${e.kv.text()}`);
  if (events.length >= 2) break;
}

const lease = await leases.grant(2);
await kv.put(`${prefix}leased`, "x", { lease: lease.id });
lease.keepAlive();
await new Promise((resolve) => setTimeout(resolve, 3_000)); // past the TTL: only keepalive keeps it
const leasedAlive = (await kv.get(`${prefix}leased`)) !== undefined;
await lease.revoke();
const leasedGone = (await kv.get(`${prefix}leased`)) === undefined;
await kv.delete(prefix, { prefix: true });

await watcher.close();
await transport.close();
console.log(JSON.stringify({ runtime, transport: kind, firstRevision: String(revision), got, txn: txn.succeeded, events, leasedAlive, leasedGone }));
