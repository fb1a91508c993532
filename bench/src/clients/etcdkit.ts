import { createClient, type Transport } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import type { BenchClient, ClientFactory } from "./types.js";

/** What the bench needs from `@etcdkit/transport`; loaded lazily so a missing export only skips this client. */
interface TransportModule {
  createTransport?: (options: { endpoints: string[] }) => Transport & { close?: () => unknown };
}

async function loadTransport(): Promise<TransportModule> {
  return (await import("@etcdkit/transport")) as unknown as TransportModule;
}

/** etcdkit's own transport (`createTransport` from `@etcdkit/transport`), used through Connect's createClient(KV). */
export const etcdkitClient: ClientFactory = {
  name: "etcdkit",
  description: "createTransport({ endpoints: [url] }) from @etcdkit/transport, createClient(KV, transport)",
  async unavailable() {
    try {
      const mod = await loadTransport();
      if (typeof mod.createTransport !== "function") {
        return "@etcdkit/transport does not export createTransport yet (packages/transport/src/index.ts)";
      }
      return undefined;
    } catch (err) {
      return `@etcdkit/transport failed to load: ${err instanceof Error ? err.message : String(err)}`;
    }
  },
  async create(url: string): Promise<BenchClient> {
    const { createTransport } = await loadTransport();
    if (typeof createTransport !== "function") throw new Error("@etcdkit/transport does not export createTransport");
    const transport = createTransport({ endpoints: [url] });
    const kv = createClient(KV, transport);
    return {
      put: (key, value) => kv.put({ key, value }),
      get: (key) => kv.range({ key }).then((res) => res.kvs[0]?.value),
      async close() {
        await transport.close?.();
      },
    };
  },
};
