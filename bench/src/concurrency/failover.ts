/**
 * Election failover, worker side. Two candidates on their own connections and leases: one leads,
 * the other waits. "resign": time from the leader's resign call to the other's campaign resolving
 * (they alternate). "crash": the leader stops renewing its lease (a process that died): time from
 * then to the other's campaign resolving — etcd must first expire the lease (TTL).
 */
import { createElection, createElectionService, createSession, type Election, type Session } from "@etcdkit/concurrency";
import { createLease, type Lease } from "@etcdkit/lease";
import { createTransport, type EtcdTransport } from "@etcdkit/transport";
import { summarizeMs } from "./latency.js";
import type { ConcurrencySpec, LatencyResult } from "./spec.js";

interface Candidate {
  campaign(): Promise<void>;
  resign(): Promise<void>;
  /** Stops renewing the lease, as a crashed process would. */
  crash(): void;
  close(): Promise<void>;
}

async function candidate(spec: ConcurrencySpec, id: string, ttl: number): Promise<Candidate> {
  const transport: EtcdTransport = createTransport({ endpoints: [spec.url] });
  if (spec.client === "etcdkit") {
    const session: Session = await createSession(transport, { ttl });
    const election: Election = createElection(session, spec.name);
    return {
      campaign: async () => void (await election.campaign(id)),
      resign: () => election.resign(),
      crash: () => session.orphan(),
      close: async () => {
        await session.close().catch(() => undefined);
        await transport.close();
      },
    };
  }
  const lease: Lease = await createLease(transport).grant(ttl, { keepAlive: true });
  const elections = createElectionService(transport);
  let leader: Awaited<ReturnType<typeof elections.campaign>> | undefined;
  return {
    campaign: async () => void (leader = await elections.campaign(spec.name, lease.id, id, { timeoutMs: Number.POSITIVE_INFINITY })),
    resign: () => elections.resign(leader!),
    crash: () => lease.release(),
    close: async () => {
      await lease.revoke().catch(() => undefined);
      await transport.close();
    },
  };
}

export async function measureResignFailover(spec: ConcurrencySpec): Promise<LatencyResult> {
  const a = await candidate(spec, "a", 30);
  const b = await candidate(spec, "b", 30);
  await a.campaign();
  let leader = a;
  let waiter = b;
  let waiting = waiter.campaign();
  const samples: number[] = [];
  for (let i = 0; i < spec.samples + 5; i++) {
    const t = performance.now();
    await leader.resign();
    await waiting;
    if (i >= 5) samples.push(performance.now() - t);
    [leader, waiter] = [waiter, leader];
    waiting = waiter.campaign();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the new waiter is queued
  }
  await leader.resign();
  await waiting;
  await waiter.resign();
  await Promise.all([a.close(), b.close()]);
  return summarizeMs(samples);
}

export async function measureCrashFailover(spec: ConcurrencySpec): Promise<LatencyResult> {
  const samples: number[] = [];
  for (let i = 0; i < spec.samples; i++) {
    const a = await candidate(spec, "a", spec.ttlSeconds);
    const b = await candidate(spec, "b", spec.ttlSeconds);
    await a.campaign();
    const waiting = b.campaign();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const t = performance.now();
    a.crash();
    await waiting;
    samples.push(performance.now() - t);
    await b.resign();
    await Promise.all([a.close(), b.close()]);
  }
  return summarizeMs(samples);
}
