import type { KvInput, KvOperation } from "../history/types.js";
import { pause, type RunContext } from "../scenario/run-context.js";

/**
 * Options of the register workload.
 *
 * @example
 * ```ts
 * const options: RegisterWorkloadOptions = { clients: 4, keys: 6 };
 * ```
 */
export interface RegisterWorkloadOptions {
  /** Concurrent clients (default 4). */
  readonly clients?: number;
  /** Hot keys r/0 … r/(keys-1) (default 6). */
  readonly keys?: number;
  /** Per-call deadline (default 3000). */
  readonly timeoutMs?: number;
  /** Pause between operations of one client, at most (default 10). */
  readonly thinkMs?: number;
}

/**
 * The register workload: clients doing linearizable gets, puts of unique values, compare-and-swap
 * txns (`if value == what I last saw then put else get`) and the odd delete on a few hot keys.
 * Its operations feed the linearizability checker.
 *
 * @example
 * ```ts
 * await runRegisterWorkload(ctx, { clients: 4 });
 * ```
 */
export async function runRegisterWorkload(ctx: RunContext, options: RegisterWorkloadOptions = {}): Promise<void> {
  const clients = options.clients ?? 4;
  await Promise.all(Array.from({ length: clients }, () => registerClient(ctx, options)));
}

async function registerClient(ctx: RunContext, options: RegisterWorkloadOptions): Promise<void> {
  const keys = options.keys ?? 6;
  const timeoutMs = options.timeoutMs ?? 3000;
  const managed = ctx.newClient();
  const lastSeen = new Map<string, string | null>();
  try {
    while (!ctx.stopping.aborted) {
      const client = await managed.current();
      const key = `r/${Math.floor(ctx.random() * keys)}`;
      const roll = ctx.random();
      const value = ctx.recorder.uniqueValue(managed.id);
      const input: KvInput =
        roll < 0.35
          ? { f: "get", key }
          : roll < 0.65
            ? { f: "put", key, value }
            : roll < 0.92
              ? { f: "cas", key, expect: lastSeen.get(key) ?? null, value }
              : { f: "delete", key };
      const op = await ctx.recorder.kv(managed.id, "register", input, () => {
        switch (input.f) {
          case "get":
            return client.get(key, { timeoutMs });
          case "put":
            return client.put(key, input.value, { timeoutMs });
          case "cas":
            return client.cas(key, input.expect, input.value, { timeoutMs });
          case "delete":
            return client.delete(key, { timeoutMs });
        }
      });
      remember(lastSeen, op);
      if (op.status !== "ok") await pause(50 + ctx.random() * 100, ctx.stopping);
      else await pause(ctx.random() * (options.thinkMs ?? 10), ctx.stopping);
    }
  } finally {
    await managed.close();
  }
}

function remember(lastSeen: Map<string, string | null>, op: KvOperation): void {
  const key = op.input.key;
  if (op.status !== "ok" || op.output === undefined) return;
  const out = op.output;
  if (out.f === "get") lastSeen.set(key, out.value);
  else if (out.f === "put" && op.input.f === "put") lastSeen.set(key, op.input.value);
  else if (out.f === "delete") lastSeen.set(key, null);
  else if (out.f === "cas" && op.input.f === "cas") lastSeen.set(key, out.succeeded ? op.input.value : (out.value ?? null));
}

/**
 * The serializable-read workload: each client is pinned to one member and reads the register
 * keys with `serializable: true` (served locally, maybe stale). Checked for revisions that never
 * go back per client, and against the log.
 *
 * @example
 * ```ts
 * await runSerializableWorkload(ctx, { clients: 2 });
 * ```
 */
export async function runSerializableWorkload(ctx: RunContext, options: { clients?: number; keys?: number } = {}): Promise<void> {
  const clients = options.clients ?? 2;
  await Promise.all(
    Array.from({ length: clients }, async (_, n) => {
      // Pinned to one member; re-pinned to a member still in the cluster after a membership change.
      const managed = ctx.newClient(() => [ctx.cluster.members[ctx.active[n % ctx.active.length]!]!.endpoint]);
      try {
        while (!ctx.stopping.aborted) {
          const client = await managed.current();
          const key = `r/${Math.floor(ctx.random() * (options.keys ?? 6))}`;
          const op = await ctx.recorder.kv(managed.id, "serializable", { f: "get", key, serializable: true }, () =>
            client.get(key, { serializable: true, timeoutMs: 2000 }),
          );
          await pause(op.status === "ok" ? 5 + ctx.random() * 20 : 200, ctx.stopping);
        }
      } finally {
        await managed.close();
      }
    }),
  );
}
