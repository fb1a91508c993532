/**
 * A Cloudflare Worker on etcd: every request does a put, a get, a txn and a short watch over
 * etcd's JSON gateway (`@etcdkit/transport/gateway`; Workers have no HTTP/2 client). The
 * transport lives in module scope, so the auth token and the endpoint state are reused by every
 * request the isolate serves: one Authenticate per isolate, not per request.
 *
 * Bindings: ETCD_ENDPOINTS (comma-separated URLs), and optionally ETCD_USERNAME / ETCD_PASSWORD.
 *
 * @example
 * // wrangler.toml: main = "src/worker.ts", vars = { ETCD_ENDPOINTS = "https://etcd.example.com:2379" }
 * // GET /?key=greeting&value=hello → {"put":…, "get":"hello", "txn":true, "watched":["put greeting=hello-2"], ...}
 */
import { compare, createKV, op } from "@etcdkit/kv";
import { createGatewayTransport, type EtcdGatewayTransport } from "@etcdkit/transport/gateway";
import { createWatch } from "@etcdkit/watch";

export interface Env {
  ETCD_ENDPOINTS: string;
  ETCD_USERNAME?: string;
  ETCD_PASSWORD?: string;
}

/** One transport per isolate: its token survives between requests. */
let transport: EtcdGatewayTransport | undefined;

function connect(env: Env): EtcdGatewayTransport {
  transport ??= createGatewayTransport({
    endpoints: env.ETCD_ENDPOINTS.split(",").map((e) => e.trim()),
    auth: env.ETCD_USERNAME ? { username: env.ETCD_USERNAME, password: env.ETCD_PASSWORD ?? "" } : undefined,
    timeoutMs: 5_000,
  });
  return transport;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const key = url.searchParams.get("key") ?? "worker/greeting";
    const value = url.searchParams.get("value") ?? "hello";
    const t = connect(env);
    const kv = createKV(t);
    try {
      const put = await kv.put(key, value);
      const got = (await kv.get(key))?.text();
      const txn = await kv.txn().if(compare.value(key, "=", value)).then(op.put(key, `${value}-2`)).else(op.get(key)).commit();
      // A short watch: from the put's revision, so it sees both writes without waiting.
      const watcher = createWatch(t);
      const watched: string[] = [];
      for await (const batch of watcher.watch(key, { startRevision: put.revision })) {
        for (const e of batch.events) watched.push(`${e.type} ${e.kv.keyText()}=${e.kv.text()}`);
        if (watched.length >= 2) break;
      }
      await watcher.close();
      const stats = t.stats;
      return Response.json({ put: String(put.revision), get: got, txn: txn.succeeded, watched, authentications: stats.authentications });
    } catch (err) {
      const e = err as { reason?: string; message?: string };
      return Response.json({ error: e.reason ?? "unknown", message: e.message }, { status: 500 });
    }
  },
};
