/**
 * Chapter of the tour: `@etcdkit/watch` and `@etcdkit/lease`. A watch that sees a txn as one
 * batch, a list-then-watch cache, a watch that outlives a dropped connection, and leases: kept
 * alive on one shared stream, revoked by `await using`, and lost at their deadline.
 *
 * @example
 * await watchLeaseChapter(ctx);
 */
import { createKV, op } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { createTransport } from "@etcdkit/transport";
import { createWatch, listThenWatch, type Watch, type WatchBatch } from "@etcdkit/watch";
import type { TourContext } from "./tour-context.js";

/** `promise`, or an error after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing happened within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The next batch of a watch (an error if none comes within 10 s). */
async function nextBatch(watch: Watch): Promise<WatchBatch> {
  const next = await within(watch.next(), 10_000);
  if (next.done === true) throw new Error("the watch ended");
  return next.value;
}

export async function watchLeaseChapter(ctx: TourContext): Promise<void> {
  ctx.say("— watch and lease (@etcdkit/watch, @etcdkit/lease) —");
  await using transport = createTransport({ endpoints: ctx.endpoints, dialTimeoutMs: 5_000 });
  const kv = createKV(transport);
  const watcher = createWatch(transport);
  const leases = createLease(transport);
  const p = `${ctx.prefix}watch/`;
  const short = (key: string) => key.slice(p.length);

  // A watch from "now": `ready` resolves once etcd registered it.
  const config = watcher.watch(`${p}config/`, { prefix: true, prevKv: true });
  await config.ready;
  await kv.txn().if().then(op.put(`${p}config/a`, "1"), op.put(`${p}config/b`, "2")).commit();
  const txnBatch = await nextBatch(config);
  ctx.say(
    `watch config/ → ${txnBatch.events.map((e) => `${e.type} ${short(e.kv.keyText())}=${e.kv.text()}`).join(", ")} ` +
      `(one txn: ${txnBatch.events.length} events, one batch, one revision: ${txnBatch.events.every((e) => e.kv.modRevision === txnBatch.revision)})`,
  );
  await kv.put(`${p}config/a`, "10");
  const update = (await nextBatch(config)).events[0]!;
  ctx.say(`update config/a → ${update.type} ${short(update.kv.keyText())}=${update.kv.text()} (was ${update.prevKv?.text()})`);
  config.cancel();

  // A cache: read a prefix, then watch from the next revision; nothing is missed or seen twice.
  for (const name of ["alpha", "beta"]) await kv.put(`${p}services/${name}`, "up");
  const { revision, kvs, watch: services } = await listThenWatch(watcher, `${p}services/`, { prefix: true });
  const name = (key: string) => key.slice(`${p}services/`.length);
  const cache = new Map(kvs.map((item) => [name(item.keyText()), item.text()]));
  await kv.put(`${p}services/gamma`, "up");
  await kv.delete(`${p}services/alpha`);
  let applied = 0;
  while (applied < 2) {
    for (const e of (await nextBatch(services)).events) {
      if (e.type === "put") cache.set(name(e.kv.keyText()), e.kv.text());
      else cache.delete(name(e.kv.keyText()));
      applied++;
    }
  }
  services.cancel();
  ctx.say(
    `listThenWatch services/ → ${kvs.length} keys at revision R, then ${applied} changes from R + ${services.nextRevision - revision - 2n}; ` +
      `cache = ${[...cache.keys()].sort().join(", ")}`,
  );

  // Leases: one keepalive stream for any number of leases; `await using` revokes.
  {
    await using lease = await leases.grant(2);
    await kv.put(`${p}lock`, "held", { lease: lease.id });
    let renewals = 0;
    void (async () => {
      for await (const _ of lease.keepAlive()) renewals++;
    })();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    ctx.say(
      `lease (TTL ${lease.ttl} s) kept alive for 3 s → key ${(await kv.get(`${p}lock`)) ? "still there" : "gone"}, ` +
        `renewed ${renewals >= 3 ? "every ~TTL/3" : `only ${renewals} times`}, lost: ${lease.loss?.reason ?? "no"}`,
    );
  }
  ctx.say(`scope left (await using) → lease revoked, key ${(await kv.get(`${p}lock`)) ? "still there" : "gone"}`);

  // A lease nobody renews is lost at its local deadline (grant sent + TTL), before etcd drops it.
  const shortLived = await leases.grant(1);
  await kv.put(`${p}ephemeral`, "x", { lease: shortLived.id });
  // (the lease's deadline timer does not keep a process alive on its own; this wait does)
  const loss = await within(shortLived.lost, 5_000);
  // never before its deadline; after it by no more than a busy machine's timer slack
  const onTime = loss.at >= shortLived.deadline! && loss.at <= shortLived.deadline! + 2_000;
  ctx.say(`unrenewed lease → lost (${loss.reason}) ${onTime ? "at its deadline" : "off its deadline"}; signal aborted: ${shortLived.signal.aborted}`);
  await watcher.close();
  await leases.close();
  await kv.delete(p, { prefix: true });
}
