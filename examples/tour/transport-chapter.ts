/**
 * Chapter of the tour: `@etcdkit/transport`. One transport for every generated client,
 * typed errors with a `reason`, deadlines and abort, and call statistics.
 *
 * @example
 * await transportChapter(ctx);
 */
import { createClient } from "@connectrpc/connect";
import { KV, Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport, isEtcdError, toBytes } from "@etcdkit/transport";
import type { TourContext } from "./tour-context.js";

export async function transportChapter(ctx: TourContext): Promise<void> {
  ctx.say("— transport (@etcdkit/transport) —");
  await using transport = createTransport({ endpoints: ctx.endpoints, dialTimeoutMs: 2_000 });
  const kv = createClient(KV, transport);
  const maintenance = createClient(Maintenance, transport);

  const status = await maintenance.status({});
  ctx.say(`connected to etcd ${status.version} (${ctx.endpoints.length} endpoint(s))`);

  const { header } = await kv.put({ key: toBytes(`${ctx.prefix}t`), value: toBytes("1") });
  try {
    await kv.range({ key: toBytes(`${ctx.prefix}t`), revision: header!.revision + 1000n });
  } catch (error) {
    if (isEtcdError(error, "future-revision")) ctx.say(`a read past the head fails typed: reason "${error.reason}"`);
    else throw error;
  }

  const aborted = new AbortController();
  aborted.abort();
  const canceled = await kv.range({ key: toBytes(`${ctx.prefix}t`) }, { signal: aborted.signal }).catch((e: unknown) => e);
  ctx.say(`an aborted call fails with reason "${isEtcdError(canceled) ? canceled.reason : String(canceled)}"`);

  ctx.say(`calls so far: ${transport.stats.calls}, retries: ${transport.stats.retries}`);
}
