/**
 * Shared setup of the KV integration tests: a Connect transport to a real etcd, and a recording
 * transport that never does I/O (for "rejected before any I/O" assertions).
 *
 * @example
 * const { kv, close } = connectKV(cluster.endpoints);
 */
import { createTransport, type EtcdTransport } from "@etcdkit/transport";
import { createKV } from "./create-kv.js";
import type { KV } from "./kv.js";

let counter = 0;

/** A KV over etcdkit's transport, plus a close() for afterAll. */
export function connectKV(endpoints: readonly string[]): { kv: KV; transport: EtcdTransport; close: () => Promise<void> } {
  const transport = createTransport({ endpoints: [...endpoints], dialTimeoutMs: 5_000 });
  return { kv: createKV(transport), transport, close: () => transport.close() };
}

/** A fresh key prefix per test, so tests sharing one etcd never see each other's keys. */
export function uniquePrefix(name: string): string {
  counter += 1;
  return `/kv-test/${name}/${counter}/`;
}

export { createRecordingTransport, createSpyTransport, type RecordedCall } from "@etcdkit/testing";
