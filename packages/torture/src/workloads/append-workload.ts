import type { AppendMop } from "../history/types.js";
import { parseList } from "../checkers/append-checker.js";
import { pause, type RunContext } from "../scenario/run-context.js";

/**
 * The list-append workload (Elle's): each transaction reads 1–3 of the keys a/0 … a/4 and
 * appends a unique element to some of them, as one optimistic etcd txn guarded on the mod
 * revisions it read (a guard that fails aborts the transaction, recorded as failed).
 *
 * @example
 * ```ts
 * await runAppendWorkload(ctx, { clients: 3 });
 * ```
 */
export async function runAppendWorkload(ctx: RunContext, options: { clients?: number; keys?: number; timeoutMs?: number } = {}): Promise<void> {
  const clients = options.clients ?? 3;
  await Promise.all(Array.from({ length: clients }, () => appendClient(ctx, options.keys ?? 5, options.timeoutMs ?? 3000)));
}

async function appendClient(ctx: RunContext, keyCount: number, timeoutMs: number): Promise<void> {
  const managed = ctx.newClient();
  try {
    while (!ctx.stopping.aborted) {
      const client = await managed.current();
      let snapshot: Map<string, { value: string; modRevision: bigint }>;
      try {
        const read = await client.readPrefix("a/", { timeoutMs });
        snapshot = new Map(read.kvs.map((kv) => [kv.key, { value: kv.value, modRevision: kv.modRevision }]));
      } catch {
        await pause(100, ctx.stopping);
        continue;
      }
      const count = 1 + Math.floor(ctx.random() * 3);
      const keys = new Set<string>();
      while (keys.size < count) keys.add(`a/${Math.floor(ctx.random() * keyCount)}`);
      const reads = [...keys];
      const appends = reads.filter(() => ctx.random() < 0.6).map((key) => ({ key, element: ctx.recorder.nextElement() }));
      const planned: AppendMop[] = [
        ...reads.map((key): AppendMop => ({ f: "r", key, value: null })),
        ...appends.map(({ key, element }): AppendMop => ({ f: "append", key, value: element })),
      ];
      const op = await ctx.recorder.append(managed.id, planned, async () => {
        const guards = appends.map(({ key }) => ({ key, modRevision: snapshot.get(key)?.modRevision ?? 0n }));
        const puts = appends.map(({ key, element }) => {
          const prior = snapshot.get(key)?.value ?? "";
          return { key, value: prior === "" ? String(element) : `${prior},${element}` };
        });
        const result = await client.guardedWrite(guards, reads, puts, { timeoutMs });
        if (!result.succeeded) return undefined;
        const mops: AppendMop[] = [
          ...reads.map((key): AppendMop => ({ f: "r", key, value: parseList(result.reads.get(key)) })),
          ...appends.map(({ key, element }): AppendMop => ({ f: "append", key, value: element })),
        ];
        return { revision: result.revision, mops };
      });
      await pause(op.status === "ok" || op.status === "fail" ? ctx.random() * 10 : 100, ctx.stopping);
    }
  } finally {
    await managed.close();
  }
}
