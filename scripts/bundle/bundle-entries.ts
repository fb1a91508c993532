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
  /** Fails `pnpm size` when the gzip size exceeds it. */
  gzipBudget: number;
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
];
