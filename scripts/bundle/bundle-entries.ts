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
    gzipBudget: 17_000,
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
      "  return (await kv.get(key))?.text();",
      "}",
    ].join("\n"),
    gzipBudget: 40_000,
  },
  {
    name: "etcdkit-kv-get",
    description: "createTransport + createKV imported from the etcdkit umbrella, one get: must tree-shake to a KV-only bundle",
    source: [
      'import { createKV, createTransport } from "etcdkit";',
      "export async function handler(key) {",
      '  const kv = createKV(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));',
      "  return (await kv.get(key))?.text();",
      "}",
    ].join("\n"),
    gzipBudget: 40_000,
  },
  {
    name: "etcdkit-client-get",
    description: "createClient from the etcdkit umbrella, one get (the client references every service)",
    source: [
      'import { createClient } from "etcdkit";',
      "export async function handler(key) {",
      '  const client = createClient({ endpoints: ["http://127.0.0.1:2379"] });',
      "  return (await client.kv.get(key))?.text();",
      "}",
    ].join("\n"),
    gzipBudget: 70_000,
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
