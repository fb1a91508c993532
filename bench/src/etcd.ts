import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd } from "@etcdkit/testing";

/** The etcd a benchmark run talks to. */
export interface BenchEtcd extends AsyncDisposable {
  /** Client URL every cell uses. */
  readonly url: string;
  /** "started by @etcdkit/testing" or "ETCD_ENDPOINTS". */
  readonly source: string;
  /** Server version from GET /version, e.g. "3.4.23" ("unknown" if not answered). */
  readonly version: string;
  /**
   * Compacts the key history up to the current revision, so the many puts of a run neither grow
   * etcd's memory nor slow later cells. Best effort: failures are ignored.
   */
  compact(): Promise<void>;
}

async function fetchVersion(url: string): Promise<string> {
  try {
    const res = await fetch(new URL("/version", url), { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { etcdserver?: string };
    return body.etcdserver ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Uses the first URL of `ETCD_ENDPOINTS` (comma-separated) when set, else starts one local member
 * with @etcdkit/testing's startEtcd(); disposing stops a member this function started.
 */
export async function acquireEtcd(env: NodeJS.ProcessEnv = process.env): Promise<BenchEtcd> {
  const fromEnv = env.ETCD_ENDPOINTS?.split(",").map((s) => s.trim()).find((s) => s.length > 0);
  const cluster = fromEnv === undefined ? await startEtcd() : undefined;
  const url = fromEnv ?? cluster!.clientUrls[0]!;
  const sessions = new Http2SessionManager(url);
  const kv = createClient(KV, createGrpcTransport({ baseUrl: url, sessionManager: sessions }));
  let warned = false;
  return {
    url,
    source: cluster === undefined ? "ETCD_ENDPOINTS" : "started by @etcdkit/testing",
    version: await fetchVersion(url),
    async compact() {
      try {
        const { header } = await kv.range({ key: new Uint8Array([0]) }, { timeoutMs: 10_000 });
        if (header !== undefined && header.revision > 1n) {
          await kv.compact({ revision: header.revision }, { timeoutMs: 30_000 });
        }
      } catch (err) {
        // Best effort (e.g. already compacted at this revision): the next cell compacts again.
        if (!warned) console.error(`compaction failed (continuing): ${err instanceof Error ? err.message : String(err)}`);
        warned = true;
      }
    },
    async [Symbol.asyncDispose]() {
      sessions.abort();
      await cluster?.stop();
    },
  };
}
