import { createClient } from "@connectrpc/connect";
import { KV, Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { bytesToText, createTransport, isEtcdError, toBytes, type EtcdErrorReason } from "@etcdkit/transport";
import type { Transport } from "@connectrpc/connect";
import { expect } from "vitest";

/** A separate transport to one member only, for the tests' own cross-checks (close it after use). */
export const connectOne = (endpoint: string) => createTransport({ endpoints: [endpoint] });

/** Retries `fn` while it fails with one of `reasons`, every `delayMs`, at most `attempts` times. */
export async function retryWhile<T>(
  reasons: EtcdErrorReason | readonly EtcdErrorReason[],
  fn: () => Promise<T>,
  { attempts = 100, delayMs = 100 } = {},
): Promise<{ value: T; tries: number }> {
  for (let tries = 1; ; tries++) {
    try {
      return { value: await fn(), tries };
    } catch (err) {
      if (!isEtcdError(err, reasons) || tries >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Polls `check` until it returns true (every 50 ms, at most `timeoutMs`). */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The cluster is healthy: every client URL answers Status without errors and all agree on one
 * leader, and a put followed by a get through `transport` works.
 */
export async function expectHealthy(clientUrls: readonly string[], transport: Transport, key: string): Promise<void> {
  const leaders = new Set<bigint>();
  for (const url of clientUrls) {
    const t = createTransport({ endpoints: [url] });
    try {
      const status = await createClient(Maintenance, t).status({}, { timeoutMs: 5_000 });
      expect(status.errors, `status errors of ${url}`).toEqual([]);
      expect(status.leader, `leader seen by ${url}`).not.toBe(0n);
      leaders.add(status.leader);
    } finally {
      await t.close();
    }
  }
  expect(leaders.size, "members agree on the leader").toBe(1);
  const kv = createClient(KV, transport);
  const value = `v-${Date.now()}`;
  await kv.put({ key: toBytes(key), value: toBytes(value) }, { timeoutMs: 5_000 });
  const got = await kv.range({ key: toBytes(key) }, { timeoutMs: 5_000 });
  expect(bytesToText(got.kvs[0]!.value)).toBe(value);
}
