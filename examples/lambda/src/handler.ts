/**
 * An AWS Lambda-style handler on etcd (Node.js runtime, gRPC transport): bundled with esbuild into
 * one file that needs no node_modules. The transport is created once per execution environment,
 * outside the handler, so warm invocations reuse its connection (and its auth token); a
 * connection that broke between invocations (an etcd restart, an idle timeout) is replaced on the
 * next call.
 *
 * Environment: ETCD_ENDPOINTS (comma-separated client URLs), optionally ETCD_USERNAME / ETCD_PASSWORD.
 *
 * @example
 * // esbuild src/handler.ts --bundle --platform=node --format=esm --outfile=dist/handler.mjs
 * // invoke: { "key": "greeting", "value": "hello" } → { statusCode: 200, body: '{"value":"hello",...}' }
 */
import { createKV } from "@etcdkit/kv";
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";

/** What one invocation receives. */
export interface PutGetEvent {
  key?: string;
  value?: string;
}

let transport: EtcdTransport | undefined;
let invocations = 0;

function connect(): EtcdTransport {
  const username = process.env["ETCD_USERNAME"];
  transport ??= createTransport({
    endpoints: (process.env["ETCD_ENDPOINTS"] ?? "http://127.0.0.1:2379").split(",").map((e) => e.trim()),
    dialTimeoutMs: 3_000,
    timeoutMs: 5_000, // every call of an invocation is bounded: a function has a time limit
    auth: username ? { username, password: process.env["ETCD_PASSWORD"] ?? "" } : undefined,
  });
  return transport;
}

export async function handler(event: PutGetEvent): Promise<{ statusCode: number; body: string }> {
  invocations++;
  const kv = createKV(connect());
  const key = event.key ?? "lambda/greeting";
  try {
    const put = event.value === undefined ? undefined : await kv.put(key, event.value);
    const value = (await kv.get(key))?.text();
    const { calls, streams } = transport!.stats;
    return { statusCode: 200, body: JSON.stringify({ value, revision: put?.revision.toString(), invocations, calls, streams }) };
  } catch (err) {
    const reason = isEtcdError(err) ? err.reason : "unknown";
    return { statusCode: 503, body: JSON.stringify({ error: reason, message: (err as Error).message, invocations }) };
  }
}
