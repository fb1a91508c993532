/**
 * The fixed entry points whose bundle size we track, with their budgets (bytes, gzip).
 * Each entry is a few lines a user would write; esbuild bundles it like a serverless
 * function would be bundled.
 *
 * @example
 * bundleEntries.find((e) => e.name === "kv-raw");
 */
export interface BundleEntry {
  name: string;
  description: string;
  /** Source of the entry module (resolved from the repository root). */
  source: string;
  /** Fails `pnpm size` when the gzip size exceeds it; absent for reference entries (other SDKs). */
  gzipBudget?: number;
  /** Directory (from the repository root) the entry's imports resolve from; default the root. */
  resolveFrom?: string;
  /**
   * "node" (default): node built-ins stay external. "browser": bundled as for a browser or an edge
   * runtime (the packages' browser/worker entries); any `node:` import fails the build.
   */
  platform?: "node" | "browser";
}

/** A transport that does nothing: what a package and the stack weigh without one. */
const STUB_TRANSPORT =
  'const stub = { unary: async () => { throw new Error("no transport"); }, stream: async () => { throw new Error("no transport"); } };';
/** protobuf-es's binary codec, which a gRPC transport needs and a gateway transport does not. */
const BINARY_CODEC = 'export { fromBinary, toBinary } from "@bufbuild/protobuf";';

/** The kv-get-put function over the stub transport, with `extra` lines (imports) added. */
function kvOverStub(extra: readonly string[]): string {
  return [
    'import { createKV } from "@etcdkit/kv";',
    ...extra,
    STUB_TRANSPORT,
    "export async function handler(key, value) {",
    "  const kv = createKV(stub);",
    "  await kv.put(key, value);",
    "  return (await kv.get(key)).kv?.text();",
    "}",
  ].join("\n");
}

export const bundleEntries: BundleEntry[] = [
  {
    name: "kv-raw",
    description: "generated KV client only (createClient(KV, transport))",
    source: [
      'import { createClient } from "@connectrpc/connect";',
      'import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";',
      "export const kv = (transport) => createClient(KV, transport);",
    ].join("\n"),
    gzipBudget: 11_500,
  },
  {
    name: "kv-get-put",
    description: "@etcdkit/kv get + put over @etcdkit/transport (what a serverless function carries)",
    source: [
      'import { createTransport } from "@etcdkit/transport";',
      'import { createKV } from "@etcdkit/kv";',
      "export async function handler(key, value) {",
      '  const kv = createKV(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));',
      "  await kv.put(key, value);",
      "  return (await kv.get(key)).kv?.text();",
      "}",
    ].join("\n"),
    gzipBudget: 35_800,
  },
  {
    name: "kv-get-put-gateway",
    description: "the same function over the gateway transport, bundled for a browser or an edge runtime",
    platform: "browser",
    source: [
      'import { createGatewayTransport } from "@etcdkit/transport/gateway";',
      'import { createKV } from "@etcdkit/kv";',
      "export async function handler(key, value) {",
      '  const kv = createKV(createGatewayTransport({ endpoints: ["http://127.0.0.1:2379"] }));',
      "  await kv.put(key, value);",
      "  return (await kv.get(key)).kv?.text();",
      "}",
    ].join("\n"),
    gzipBudget: 28_800,
  },
  {
    name: "watch",
    description: "@etcdkit/watch over @etcdkit/transport: one watch",
    source: [
      'import { createTransport } from "@etcdkit/transport";',
      'import { createWatch } from "@etcdkit/watch";',
      "export async function* changes(key) {",
      '  const watcher = createWatch(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));',
      "  for await (const batch of watcher.watch(key, { prefix: true })) yield* batch.events;",
      "}",
    ].join("\n"),
    gzipBudget: 37_800,
  },
  {
    name: "everything",
    description: "every package over both transports",
    source: [
      'export * from "@etcdkit/transport";',
      'export * from "@etcdkit/transport/gateway";',
      'export * from "@etcdkit/kv";',
      'export * from "@etcdkit/watch";',
      'export * from "@etcdkit/lease";',
      'export * from "@etcdkit/cluster";',
      'export * from "@etcdkit/maintenance";',
      'export * from "@etcdkit/auth";',
    ].join("\n"),
    // The size goal itself: every package over both transports within 60 KB gzip.
    gzipBudget: 60_000,
  },
  {
    name: "concurrency-lock",
    description: "@etcdkit/concurrency: a session and a mutex lock + guarded write + unlock over @etcdkit/transport",
    source: [
      'import { createTransport } from "@etcdkit/transport";',
      'import { createKV, op } from "@etcdkit/kv";',
      'import { createMutex, createSession } from "@etcdkit/concurrency";',
      "export async function handler(name, key, value) {",
      '  const transport = createTransport({ endpoints: ["http://127.0.0.1:2379"] });',
      "  const session = await createSession(transport, { ttl: 10 });",
      "  const held = await createMutex(session, name).lock({ timeoutMs: 5000 });",
      "  await createKV(transport).txn().if(held.isOwner()).then(op.put(key, value)).commit();",
      "  await held.unlock();",
      "  await session.close();",
      "}",
    ].join("\n"),
    gzipBudget: 49_700,
  },
  {
    name: "etcdkit-kv-get",
    description: "createTransport + createKV imported from the etcdkit umbrella, one get: must tree-shake to a KV-only bundle",
    source: [
      'import { createKV, createTransport } from "etcdkit";',
      "export async function handler(key) {",
      '  const kv = createKV(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));',
      "  return (await kv.get(key)).kv?.text();",
      "}",
    ].join("\n"),
    gzipBudget: 35_800,
  },
  {
    name: "etcdkit-client-get",
    description: "createClient from the etcdkit umbrella, one get (the client references every service)",
    source: [
      'import { createClient } from "etcdkit";',
      "export async function handler(key) {",
      '  const client = createClient({ endpoints: ["http://127.0.0.1:2379"] });',
      "  return (await client.kv.get(key)).kv?.text();",
      "}",
    ].join("\n"),
    gzipBudget: 58_300,
  },
  {
    name: "leasing-get",
    description: "@etcdkit/leasing: a leasing KV over @etcdkit/transport, a cached get and a put",
    source: [
      'import { createTransport } from "@etcdkit/transport";',
      'import { createLeasingKV } from "@etcdkit/leasing";',
      "export async function handler(key, value) {",
      '  const transport = createTransport({ endpoints: ["http://127.0.0.1:2379"] });',
      '  const lkv = await createLeasingKV(transport, "leasing/", { ttl: 10 });',
      "  await lkv.put(key, value);",
      "  const { kv } = await lkv.get(key);",
      "  await lkv.close();",
      "  return kv?.text();",
      "}",
    ].join("\n"),
    gzipBudget: 53_800,
  },
  {
    name: "kv-get-put-stub (reference)",
    description: "kv-get-put with a stub in place of the transport, for a browser: the package and the stack alone, the floor of kv-get-put-gateway (no budget)",
    platform: "browser",
    source: kvOverStub([]),
  },
  {
    name: "kv-get-put-stub-binary (reference)",
    description: "the same plus protobuf-es's binary codec, which a gRPC transport needs: the floor of kv-get-put (no budget)",
    source: kvOverStub([BINARY_CODEC]),
  },
  {
    name: "watch-stub-binary (reference)",
    description: "the watch entry with a stub in place of the transport, plus protobuf-es's binary codec: the floor of watch (no budget)",
    source: [
      'import { createWatch } from "@etcdkit/watch";',
      BINARY_CODEC,
      STUB_TRANSPORT,
      "export async function* changes(key) {",
      "  const watcher = createWatch(stub);",
      "  for await (const batch of watcher.watch(key, { prefix: true })) yield* batch.events;",
      "}",
    ].join("\n"),
  },
  {
    name: "connect-grpc-get-put (reference)",
    description: "the same function with Connect's own gRPC transport and the generated KV client: no etcdkit code (no budget)",
    source: [
      'import { createClient } from "@connectrpc/connect";',
      'import { createGrpcTransport } from "@connectrpc/connect-node";',
      'import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";',
      "export async function handler(key, value) {",
      '  const kv = createClient(KV, createGrpcTransport({ baseUrl: "http://127.0.0.1:2379" }));',
      "  await kv.put({ key, value });",
      "  return (await kv.range({ key })).kvs[0]?.value;",
      "}",
    ].join("\n"),
  },
  {
    name: "etcd3-get-put (reference)",
    description: "the same function with the etcd3 npm package, for comparison (no budget)",
    resolveFrom: "bench",
    source: [
      'import { Etcd3 } from "etcd3";',
      "export async function handler(key, value) {",
      '  const client = new Etcd3({ hosts: "http://127.0.0.1:2379" });',
      "  await client.put(key).value(value);",
      "  return client.get(key).string();",
      "}",
    ].join("\n"),
  },
];
