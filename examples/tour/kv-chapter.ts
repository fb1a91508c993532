/**
 * Chapter of the tour: `@etcdkit/kv`. Put and get, a sorted prefix read, a txn, a
 * compare-and-swap, a paged walk at one revision, a namespace, and typed errors for bad input.
 *
 * @example
 * await kvChapter(ctx);
 */
import { compare, createKV, op, withNamespace } from "@etcdkit/kv";
import { createTransport, isEtcdError } from "@etcdkit/transport";
import type { TourContext } from "./tour-context.js";

export async function kvChapter(ctx: TourContext): Promise<void> {
  ctx.say("— KV (@etcdkit/kv) —");
  await using transport = createTransport({ endpoints: ctx.endpoints, dialTimeoutMs: 5_000 });
  const kv = createKV(transport);
  const p = `${ctx.prefix}kv/`;
  const short = (key: string) => key.slice(p.length);

  const { revision } = await kv.put(`${p}greeting`, "hello");
  const { kv: greeting, header } = await kv.get(`${p}greeting`);
  ctx.say(
    `put greeting = "hello" at revision ${revision}; get → "${greeting?.text()}" (version ${greeting?.version}), ` +
      `answered by member ${header.memberId.toString(16)} at revision ${header.revision}`,
  );

  for (const i of [0, 1, 2]) await kv.put(`${p}key_${i}`, "value");
  const sorted = await kv.getPrefix(`${p}key_`, { sort: { target: "key", order: "descend" } });
  ctx.say(`prefix key_ sorted descending → ${sorted.kvs.map((item) => short(item.keyText())).join(", ")}`);

  await kv.put(`${p}key`, "xyz");
  const txn = await kv
    .txn()
    .if(compare.value(`${p}key`, ">", "abc"))
    .then(op.put(`${p}key`, "XYZ"))
    .else(op.put(`${p}key`, "ABC"))
    .commit();
  ctx.say(`txn if "xyz" > "abc" → ${txn.succeeded ? "then" : "else"} ran; key = ${(await kv.get(`${p}key`)).kv?.text()}`);

  await kv.put(`${p}counter`, "1");
  const seen = (await kv.get(`${p}counter`)).kv!;
  await kv.put(`${p}counter`, "5"); // someone else writes in between
  const cas = (base: typeof seen) =>
    kv.txn().if(compare.modRevisionIs(`${p}counter`, base.modRevision)).then(op.put(`${p}counter`, String(base.number() + 1))).commit();
  const stale = await cas(seen);
  const retried = await cas((await kv.get(`${p}counter`)).kv!);
  ctx.say(
    `compare-and-swap on a stale read → ${stale.succeeded ? "applied" : "rejected"}; ` +
      `re-read and retried → ${retried.succeeded ? "applied" : "rejected"}, counter = ${(await kv.get(`${p}counter`)).kv?.text()}`,
  );

  for (let i = 0; i < 250; i += 50) {
    await kv.do(op.txn({ then: Array.from({ length: 50 }, (_, j) => op.put(`${p}items/${String(i + j).padStart(3, "0")}`, "x")) }));
  }
  let pages = 0;
  let keys = 0;
  const revisions = new Set<bigint>();
  for await (const page of kv.paginate(`${p}items/`, { prefix: true, pageSize: 100 })) {
    pages++;
    keys += page.kvs.length;
    revisions.add(page.revision);
    if (pages === 1) await kv.put(`${p}items/999`, "written after the walk began");
  }
  ctx.say(`paginate items/ in pages of 100 → ${pages} pages, ${keys} keys, read at ${revisions.size} pinned revision`);

  const app = withNamespace(kv, `${p}app/`);
  await app.put("config", "{\"replicas\":3}");
  const { prevKv } = await app.put("config", "{\"replicas\":5}", { prevKv: true });
  const inside = await app.getAll();
  const raw = await kv.getPrefix(`${p}app/`, { keysOnly: true });
  ctx.say(
    `namespace app/: getAll → ${inside.kvs.map((item) => item.keyText()).join(", ")} ` +
      `(replicas ${inside.kvs[0]?.json<{ replicas: number }>().replicas}, prevKv ${prevKv?.keyText()}); ` +
      `stored as ${raw.kvs.map((item) => short(item.keyText())).join(", ")}`,
  );

  const reasonOf = (error: unknown) => (isEtcdError(error) ? error.reason : String(error));
  const emptyKey = await kv.get("").catch(reasonOf);
  const forgotCommit = async () => await (kv.txn().if(compare.exists(`${p}key`)) as unknown as PromiseLike<unknown>);
  const notAPromise = await forgotCommit().catch(reasonOf);
  ctx.say(`bad input fails before any I/O: get("") → ${emptyKey}; a txn awaited without commit() → ${notAPromise}`);

  await kv.delete(p, { prefix: true });
}
