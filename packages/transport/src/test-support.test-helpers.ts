import { createClient } from "@connectrpc/connect";
import { Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import type { EtcdCluster } from "@etcdkit/testing";
import { createTransport } from "./transport/create-transport.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of a string. */
export const bytes = (s: string): Uint8Array => encoder.encode(s);
/** A string from UTF-8 bytes. */
export const text = (b: Uint8Array): string => decoder.decode(b);

/** Index of the member that currently is the raft leader (asks each member directly). */
export async function leaderIndex(cluster: EtcdCluster): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const [i, member] of cluster.members.entries()) {
      if (!member.running) continue;
      const t = createTransport({ endpoints: [member.clientUrl], dialTimeoutMs: 1000 });
      try {
        const status = await createClient(Maintenance, t).status({}, { timeoutMs: 1000 });
        if (status.leader !== 0n && status.leader === status.header?.memberId) return i;
      } catch {
        // not reachable right now
      } finally {
        await t.close();
      }
    }
    await sleep(100);
  }
  throw new Error("no leader found");
}

/** HTTP/2 streams counted by each member's proxy. */
export function proxyStreams(cluster: EtcdCluster): number[] {
  return cluster.members.map((m) => m.proxy?.stats.http2Streams ?? 0);
}

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Time `fn` in milliseconds, returning its settled outcome. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}
