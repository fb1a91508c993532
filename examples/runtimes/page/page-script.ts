/**
 * The browser test page: put, get, txn, a watch and a lease keepalive against the etcd named in
 * `?etcd=` (another origin: etcd runs with `--cors`), over the gateway transport. Every step is
 * asserted in the page; the outcome is shown in #status ("passed" or "failed: …") and set as
 * `window.etcdkitResult` for the test to read.
 *
 * @example
 * // http://127.0.0.1:8080/?etcd=http://127.0.0.1:2379
 */
import { compare, createKV, op } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { isEtcdError } from "@etcdkit/transport";
import { createGatewayTransport } from "@etcdkit/transport/gateway";
import { createWatch } from "@etcdkit/watch";

const status = document.getElementById("status")!;
const steps = document.getElementById("steps")!;
const step = (text: string) => {
  const li = document.createElement("li");
  li.textContent = text;
  steps.append(li);
};
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`assertion failed: ${what}`);
  step(`✔ ${what}`);
}

async function run(): Promise<void> {
  const endpoint = new URLSearchParams(location.search).get("etcd")!;
  const transport = createGatewayTransport({ endpoints: [endpoint] });
  const kv = createKV(transport);
  const prefix = `browser/${Date.now()}/`;
  const watcher = createWatch(transport);
  const watch = watcher.watch(prefix, { prefix: true });
  await watch.ready;
  const { revision } = await kv.put(`${prefix}a`, "1");
  check(revision > 0n, `put ${prefix}a at revision ${revision}`);
  check((await kv.get(`${prefix}a`))?.text() === "1", "get returns the value");
  const txn = await kv.txn().if(compare.value(`${prefix}a`, "=", "1")).then(op.put(`${prefix}b`, "2")).commit();
  check(txn.succeeded, "txn compare-and-put succeeded");
  const seen: string[] = [];
  for await (const batch of watch) {
    for (const e of batch.events) seen.push(`${e.type} ${e.kv.keyText().slice(prefix.length)}`);
    if (seen.length >= 2) break;
  }
  check(seen.join(",") === "put a,put b", `watch saw ${seen.join(", ")}`);
  const future = await kv.get(`${prefix}a`, { revision: revision + 1_000_000n }).catch((e: unknown) => e);
  check(isEtcdError(future, "future-revision"), "etcd's errors keep their reasons (future-revision)");
  const leases = createLease(transport);
  const lease = await leases.grant(2);
  await kv.put(`${prefix}leased`, "x", { lease: lease.id });
  lease.keepAlive();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  check((await kv.get(`${prefix}leased`)) !== undefined, "lease keepalive kept the key past its TTL");
  await lease.revoke();
  check((await kv.get(`${prefix}leased`)) === undefined, "revoke removed the key");
  await watcher.close();
  await transport.close();
}

run().then(
  () => {
    status.textContent = "passed";
    status.className = "passed";
    (window as unknown as { etcdkitResult: string }).etcdkitResult = "passed";
  },
  (err: unknown) => {
    status.textContent = `failed: ${String(err)}`;
    status.className = "failed";
    (window as unknown as { etcdkitResult: string }).etcdkitResult = `failed: ${String(err)}`;
  },
);
