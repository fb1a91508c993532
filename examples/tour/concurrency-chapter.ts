/**
 * Chapter of the tour: `@etcdkit/concurrency`. A lock taken in one round trip and its guarded
 * write; a second client that waits in line; what fencing does for a holder that lost its lock
 * without knowing; an election observed from the side; an STM transfer; a blocking queue.
 *
 * @example
 * await concurrencyChapter(ctx);
 */
import { createElection, createMutex, createQueue, createSession, runSTM, type LeaderObservation } from "@etcdkit/concurrency";
import { createKV, op } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { createTransport, isEtcdError } from "@etcdkit/transport";
import type { TourContext } from "./tour-context.js";

export async function concurrencyChapter(ctx: TourContext): Promise<void> {
  ctx.say("— locks, elections, STM (@etcdkit/concurrency) —");
  await using transport = createTransport({ endpoints: ctx.endpoints, dialTimeoutMs: 5_000 });
  const kv = createKV(transport);
  const p = `${ctx.prefix}concurrency/`;
  await using alice = await createSession(transport, { ttl: 10 });
  await using bob = await createSession(transport, { ttl: 10 });

  // A lock: one round trip when free; the write is guarded by the lock itself.
  const heldA = await createMutex(alice, `${p}locks/report`).lock({ timeoutMs: 5_000 });
  const first = await kv.txn().if(heldA.isOwner()).then(op.put(`${p}report`, "alice")).commit();
  ctx.say(`alice locks → guarded write applied: ${first.succeeded}`);
  try {
    await createMutex(bob, `${p}locks/report`).tryLock();
  } catch (err) {
    if (isEtcdError(err, "locked")) ctx.say("bob tryLock → locked (alice holds it)");
  }
  const bobWaits = createMutex(bob, `${p}locks/report`).lock({ timeoutMs: 5_000 });

  // Alice "pauses" past her TTL: etcd drops her lease (revoked here, to save the wait); bob is next.
  await createLease(transport).revoke(alice.leaseId);
  const heldB = await bobWaits;
  const stale = await kv.txn().if(heldA.isOwner()).then(op.put(`${p}report`, "alice, late")).commit();
  ctx.say(`alice's lease ends → bob holds it (fencing token grew: ${heldB.revision > heldA.revision}); alice's late write applied: ${stale.succeeded}`);
  await heldB.unlock();

  // An election, observed from the side: every change, and "no leader" in between.
  await using carol = await createSession(transport, { ttl: 10 });
  const seen: LeaderObservation[] = [];
  const stop = new AbortController();
  let started!: () => void;
  const firstSeen = new Promise<void>((resolve) => (started = resolve));
  const observing = (async () => {
    for await (const observation of createElection(carol, `${p}elections/api`).observe({ signal: stop.signal })) {
      seen.push(observation);
      started();
    }
  })();
  await firstSeen; // the observer has read the current state
  const election = createElection(bob, `${p}elections/api`);
  await election.campaign("bob");
  await election.proclaim("bob, v2");
  await election.resign();
  await new Promise((resolve) => setTimeout(resolve, 200));
  stop.abort();
  await observing;
  ctx.say(`election observed → ${seen.map((o) => o.leader?.text() ?? "no leader").join(" → ")}`);

  // STM: a transfer that either applies whole or runs again on a fresh read.
  await kv.put(`${p}accounts/a`, "100");
  await kv.put(`${p}accounts/b`, "0");
  const { attempts } = await runSTM(transport, async (stm) => {
    const a = Number(await stm.get(`${p}accounts/a`));
    const b = Number(await stm.get(`${p}accounts/b`));
    stm.put(`${p}accounts/a`, String(a - 25));
    stm.put(`${p}accounts/b`, String(b + 25));
  });
  const balances = (await kv.getPrefix(`${p}accounts/`)).kvs.map((item) => item.text());
  ctx.say(`STM transfer of 25 → balances ${balances.join(" / ")} (attempts: ${attempts})`);

  // A queue: dequeue blocks until something arrives.
  const queue = createQueue(transport, `${p}queue`);
  const next = queue.dequeue({ timeoutMs: 5_000 });
  await queue.enqueue("job 1");
  ctx.say(`queue → dequeue waited for "${(await next).kv.text()}"`);
  await kv.delete(p, { prefix: true });
}
