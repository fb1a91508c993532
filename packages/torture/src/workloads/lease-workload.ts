import { monotonicNow } from "@etcdkit/transport";
import type { LeaseRecord, OpStatus } from "../history/types.js";
import { pause, type ManagedClient, type RunContext } from "../scenario/run-context.js";
import type { TortureClient, TortureLease } from "../sdk/torture-client.js";

/**
 * Options of the lease workload.
 *
 * @example
 * ```ts
 * const options: LeaseWorkloadOptions = { clients: 2, ttls: [2, 3] };
 * ```
 */
export interface LeaseWorkloadOptions {
  readonly clients?: number;
  /** TTLs to grant, in seconds (default [2, 3]). */
  readonly ttls?: readonly number[];
  readonly timeoutMs?: number;
}

/**
 * The lease churn workload: each client grants a lease, puts one or two keys with it, keeps it
 * alive for 1–5 s (recording every renewal it observes and when `lost` fires), then revokes it or
 * stops renewing it, and reads its keys until they are gone (or well past when etcd must have
 * expired it). Feeds the lease checker; the key puts are recorded as KV operations too.
 *
 * @example
 * ```ts
 * await runLeaseWorkload(ctx, { clients: 2 });
 * ```
 */
export async function runLeaseWorkload(ctx: RunContext, options: LeaseWorkloadOptions = {}): Promise<void> {
  await Promise.all(Array.from({ length: options.clients ?? 2 }, () => leaseClient(ctx, options)));
}

async function leaseClient(ctx: RunContext, options: LeaseWorkloadOptions): Promise<void> {
  const ttls = options.ttls ?? [2, 3];
  const timeoutMs = options.timeoutMs ?? 3000;
  const managed = ctx.newClient();
  try {
    while (!ctx.stopping.aborted) {
      const client = await managed.current();
      const ttl = ttls[Math.floor(ctx.random() * ttls.length)]!;
      const grantInvoke = monotonicNow();
      let lease: TortureLease;
      try {
        lease = await client.grant(ttl, { timeoutMs });
      } catch {
        await pause(200, ctx.stopping);
        continue;
      }
      await oneLease(ctx, managed, client, lease, grantInvoke, monotonicNow(), timeoutMs);
    }
  } finally {
    await managed.close();
  }
}

async function oneLease(
  ctx: RunContext,
  managed: ManagedClient,
  client: TortureClient,
  lease: TortureLease,
  grantInvoke: number,
  grantReturn: number,
  timeoutMs: number,
): Promise<void> {
  const renewals: number[] = [];
  let lost: { at: number; reason: string } | undefined;
  void lease.lost.then((l) => (lost = { at: monotonicNow(), reason: l.reason }));
  void (async () => {
    for await (const _ of lease.renewals) renewals.push(monotonicNow());
  })().catch(() => undefined);
  const keys: string[] = [];
  const count = 1 + Math.floor(ctx.random() * 2);
  for (let n = 0; n < count; n++) {
    const key = `l/${lease.id.toString(16)}/${n}`;
    keys.push(key);
    const value = ctx.recorder.uniqueValue(managed.id);
    await ctx.recorder.kv(managed.id, "lease", { f: "put", key, value, lease: lease.id }, () => client.put(key, value, { lease: lease.id, timeoutMs }));
  }
  await Promise.race([pause(1000 + ctx.random() * 4000, ctx.stopping), lease.lost]);

  let releasedAt: number | undefined;
  let revoke: { invoke: number; return: number; status: OpStatus } | undefined;
  if (lost === undefined) {
    if (ctx.stopping.aborted || ctx.random() < 0.5) {
      const invoke = monotonicNow();
      try {
        await lease.revoke({ timeoutMs });
        revoke = { invoke, return: monotonicNow(), status: "ok" };
      } catch {
        revoke = { invoke, return: monotonicNow(), status: "fail" };
        lease.release();
        releasedAt = monotonicNow();
      }
    } else {
      lease.release();
      releasedAt = monotonicNow();
    }
  }
  // Read the keys until they are gone, or until well past when etcd must have expired the lease.
  const keyReads: { key: string; invoke: number; return: number; present: boolean }[] = [];
  const until = monotonicNow() + (revoke?.status === "ok" ? 1500 : lease.ttl * 1000 + 5000);
  let remaining = [...keys];
  while (remaining.length > 0 && monotonicNow() < until) {
    const still: string[] = [];
    for (const key of remaining) {
      const invoke = monotonicNow();
      try {
        const r = await client.get(key, { timeoutMs: 2000 });
        keyReads.push({ key, invoke, return: monotonicNow(), present: r.value !== null });
        if (r.value !== null) still.push(key);
      } catch {
        still.push(key);
      }
    }
    remaining = still;
    if (remaining.length > 0) await pause(250);
  }
  // Keep watching `lost` until well past the latest time it must have fired (the checker can
  // only call a late loss late if the lease was tracked beyond its deadline).
  const lastRenewal = Math.max(grantReturn, renewals[renewals.length - 1] ?? 0);
  const lostBy = revoke?.status === "ok" ? monotonicNow() + 2000 : Math.max(monotonicNow(), lastRenewal + lease.ttl * 1000 + 3000);
  if (lost === undefined) await Promise.race([lease.lost, pause(lostBy - monotonicNow())]);
  await Promise.resolve();
  const record: LeaseRecord = {
    type: "lease",
    id: ctx.recorder.nextId(),
    client: managed.id,
    leaseId: lease.id,
    ttl: lease.ttl,
    grantInvoke,
    grantReturn,
    renewals,
    ...(lost !== undefined ? { lost } : {}),
    ...(releasedAt !== undefined ? { releasedAt } : {}),
    ...(revoke !== undefined ? { revoke } : {}),
    keys,
    keyReads,
    trackedUntil: monotonicNow(),
  };
  ctx.recorder.write(record);
}
