/**
 * Uncontended lock + unlock, worker side. First a counting phase through a TCP proxy in this
 * process (HTTP/2 streams opened before the lock resolved, and per whole cycle), then a timed
 * loop on a fresh client straight to etcd: cycles per second, lock-call latency, client CPU.
 */
import { createMutex, createLockService, createSession } from "@etcdkit/concurrency";
import { createLease } from "@etcdkit/lease";
import { createTcpProxy } from "@etcdkit/testing";
import { createTransport } from "@etcdkit/transport";
import { Etcd3 } from "etcd3";
import { LatencyRecorder, median } from "../stats.js";
import type { ConcurrencySpec, UncontendedResult } from "./spec.js";

/** One client's lock and unlock, on a connection to `url`. */
interface Locker {
  lock(): Promise<void>;
  unlock(): Promise<void>;
  close(): Promise<void>;
}

async function openLocker(client: ConcurrencySpec["client"], url: string, name: string): Promise<Locker> {
  if (client === "etcdkit") {
    const transport = createTransport({ endpoints: [url] });
    const session = await createSession(transport, { ttl: 30 });
    const mutex = createMutex(session, name);
    let held: Awaited<ReturnType<typeof mutex.lock>> | undefined;
    return {
      lock: async () => void (held = await mutex.lock()),
      unlock: async () => void (await held!.unlock()),
      close: async () => {
        await session.close();
        await transport.close();
      },
    };
  }
  if (client === "server") {
    const transport = createTransport({ endpoints: [url] });
    const lease = await createLease(transport).grant(30, { keepAlive: true });
    const locks = createLockService(transport);
    let key: Uint8Array | undefined;
    return {
      lock: async () => void (key = (await locks.lock(name, lease.id, { timeoutMs: Number.POSITIVE_INFINITY })).key),
      unlock: () => locks.unlock(key!),
      close: async () => {
        await lease.revoke();
        await transport.close();
      },
    };
  }
  const etcd3 = new Etcd3({ hosts: url });
  let lock: ReturnType<Etcd3["lock"]> | undefined;
  return {
    lock: async () => {
      lock = etcd3.lock(name).ttl(30);
      await lock.acquire();
    },
    unlock: () => lock!.release(),
    close: async () => etcd3.close(),
  };
}

export async function measureUncontended(spec: ConcurrencySpec): Promise<UncontendedResult> {
  const target = new URL(spec.url);
  // Counting phase, through a proxy that counts HTTP/2 streams.
  const proxy = await createTcpProxy({ host: target.hostname, port: Number(target.port) });
  const counted = await openLocker(spec.client, proxy.url, `${spec.name}/counted`);
  const toAcquire: number[] = [];
  const perCycle: number[] = [];
  for (let i = 0; i < 21; i++) {
    const before = proxy.stats.http2Streams;
    await counted.lock();
    const acquired = proxy.stats.http2Streams;
    await counted.unlock();
    if (i > 0) {
      // The first cycle also opens the connection's long-lived streams; leave it out.
      toAcquire.push(acquired - before);
      perCycle.push(proxy.stats.http2Streams - before);
    }
  }
  await counted.close();
  await proxy[Symbol.asyncDispose]();

  // Timed phase, straight to etcd.
  const locker = await openLocker(spec.client, spec.url, `${spec.name}/timed`);
  const warmupEnd = performance.now() + spec.warmupMs;
  while (performance.now() < warmupEnd) {
    await locker.lock();
    await locker.unlock();
  }
  const latencies = new LatencyRecorder();
  let cycles = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + spec.durationMs;
  while (performance.now() < end) {
    const t = performance.now();
    await locker.lock();
    latencies.add((performance.now() - t) * 1000);
    await locker.unlock();
    cycles++;
  }
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await locker.close();
  const [p50, p99] = latencies.percentiles([50, 99]);
  return {
    opsPerSec: (cycles * 1000) / elapsed,
    lockP50Us: p50!,
    lockP99Us: p99!,
    requestsToAcquire: median(toAcquire),
    requestsPerCycle: median(perCycle),
    cpuUsPerCycle: (used.user + used.system) / cycles,
  };
}
