import { monotonicNow } from "@etcdkit/transport";
import { recordedError, failureStatus } from "../history/error-outcome.js";
import type { LockRecord, OpStatus } from "../history/types.js";
import { pause, type RunContext } from "../scenario/run-context.js";
import type { TortureLockSession } from "../sdk/torture-client.js";

/**
 * The lock every client of the lock-set workload contends for (its queue keys are under
 * `locks/set/`).
 *
 * @example
 * ```ts
 * createMutex(session, LOCK_NAME);
 * ```
 */
export const LOCK_NAME = "locks/set";

/**
 * The resource the lock's holders write, each write guarded on holding the lock.
 *
 * @example
 * ```ts
 * await held.guardedPut(FENCED_KEY, `${held.token}:c1-4`);
 * ```
 */
export const FENCED_KEY = "fence/resource";

/**
 * The lock-set workload (Jepsen's): clients with sessions of a short TTL contend for one lock;
 * each holder makes 1–3 writes to a resource key, each a txn guarded on still holding the lock
 * (fencing: etcd refuses a holder whose key is gone), holds it 50–500 ms, then unlocks. A holder
 * stops believing it holds the lock when its session is lost. Clients without lock sessions
 * (`TortureClient.lockSession` absent) skip it.
 *
 * @example
 * ```ts
 * await runLockWorkload(ctx, { clients: 3, ttl: 2 });
 * ```
 */
export async function runLockWorkload(ctx: RunContext, options: { clients?: number; ttl?: number } = {}): Promise<void> {
  await Promise.all(Array.from({ length: options.clients ?? 3 }, () => lockClient(ctx, options.ttl ?? 2)));
}

async function lockClient(ctx: RunContext, ttl: number): Promise<void> {
  const managed = ctx.newClient();
  let session: TortureLockSession | undefined;
  // Set from the session's `lost` callback (an object, so the checks below see updates).
  const state: { lost: { at: number; reason: string } | undefined } = { lost: undefined };
  const lostNow = (): { at: number; reason: string } | undefined => state.lost;
  try {
    while (!ctx.stopping.aborted) {
      const client = await managed.current();
      if (client.lockSession === undefined) return;
      if (session === undefined || state.lost !== undefined) {
        await session?.close();
        state.lost = undefined;
        try {
          const fresh = await client.lockSession(ttl);
          session = fresh;
          void fresh.lost.then((l) => {
            if (session === fresh) state.lost = { at: monotonicNow(), reason: l.reason };
          });
        } catch {
          session = undefined;
          await pause(200, ctx.stopping);
          continue;
        }
      }
      const acquireInvoke = monotonicNow();
      let held;
      try {
        held = await session.lock(LOCK_NAME, { timeoutMs: 5000 });
      } catch {
        await pause(50, ctx.stopping);
        continue;
      }
      const acquireReturn = monotonicNow();
      const writes: LockRecord["writes"][number][] = [];
      const until = acquireReturn + 50 + ctx.random() * 450;
      const count = 1 + Math.floor(ctx.random() * 3);
      for (let n = 0; n < count && lostNow() === undefined; n++) {
        const value = `${held.token}:${ctx.recorder.uniqueValue(managed.id)}`;
        const invoke = monotonicNow();
        try {
          const r = await held.guardedPut(FENCED_KEY, value, { timeoutMs: 3000 });
          writes.push({ invoke, return: monotonicNow(), value, status: "ok", applied: r.succeeded, revision: r.revision });
        } catch (err) {
          const status: OpStatus = failureStatus(recordedError(err), true);
          writes.push({ invoke, return: status === "unknown" ? Infinity : monotonicNow(), value, status });
        }
        await pause(Math.max(0, (until - monotonicNow()) / (count - n)), ctx.stopping);
      }
      const lost = lostNow();
      const heldUntil = Math.min(monotonicNow(), lost?.at ?? Infinity);
      await held.unlock({ timeoutMs: 3000 }).catch(() => undefined);
      ctx.recorder.write({
        type: "lock",
        id: ctx.recorder.nextId(),
        client: managed.id,
        name: LOCK_NAME,
        token: held.token,
        acquiredAt: held.acquiredAt,
        acquireInvoke,
        acquireReturn,
        heldUntil,
        ...(lost !== undefined ? { sessionLost: lost } : {}),
        writes,
      });
    }
  } finally {
    await session?.close();
    await managed.close();
  }
}
