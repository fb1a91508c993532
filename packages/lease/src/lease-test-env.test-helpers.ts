/**
 * Shared setup of the lease integration tests: a lease client on etcdkit's transport (optionally
 * through the harness's proxy) and a direct raw KV client to check keys.
 *
 * @example
 * const env = connectLease(cluster.endpoints, cluster.clientUrls);
 * const lease = await env.leases.grant(2);
 */
import { createClient, type Client } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport, toBytes, type EtcdTransport, type LeaseId } from "@etcdkit/transport";
import { createLease, type LeaseClient } from "./create-lease.js";

export interface LeaseEnv {
  readonly transport: EtcdTransport;
  readonly leases: LeaseClient;
  readonly kv: Client<typeof KV>;
  /** Puts `key` attached to `lease`. */
  put(key: string, value: string, lease: LeaseId): Promise<bigint>;
  /** Number of keys named `key` (0 or 1). */
  count(key: string): Promise<number>;
  close(): Promise<void>;
}

export function connectLease(leaseEndpoints: readonly string[], kvEndpoints: readonly string[] = leaseEndpoints): LeaseEnv {
  const transport = createTransport({ endpoints: [...leaseEndpoints], dialTimeoutMs: 2_000 });
  const direct = createTransport({ endpoints: [...kvEndpoints], dialTimeoutMs: 2_000 });
  const kv = createClient(KV, direct);
  const leases = createLease(transport);
  return {
    transport,
    leases,
    kv,
    async put(key, value, lease) {
      const { header } = await kv.put({ key: toBytes(key), value: toBytes(value), lease });
      return header!.revision;
    },
    async count(key) {
      const { kvs } = await kv.range({ key: toBytes(key) });
      return kvs.length;
    },
    async close() {
      await leases.close();
      await transport.close();
      await direct.close();
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms until it returns true; throws after `timeoutMs` (on the monotonic clock). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** `promise`'s value, or an error if it has not settled within `timeoutMs` (a generous bound, not a timing assertion). */
export async function settlesWithin<T>(promise: Promise<T>, timeoutMs: number, what = "promise"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

let counter = 0;
/** A fresh key per test. */
export function uniqueKey(name: string): string {
  counter += 1;
  return `/lease-test/${name}/${counter}`;
}
