/**
 * Chapter of the tour: `etcdkit`, the one client. createClient from the endpoints (or etcdctl's
 * environment), KV with a create-if-absent guard, a watch and a kept-alive lease on the shared
 * streams, a namespaced client, the cluster's members, and a clean close.
 *
 * @example
 * await clientChapter(ctx);
 */
import { configFromEnv, createClient, keyMissing, op } from "etcdkit";
import type { TourContext } from "./tour-context.js";

export async function clientChapter(ctx: TourContext): Promise<void> {
  ctx.say("— one client for everything (etcdkit) —");
  // The same config etcdctl would use with ETCDCTL_ENDPOINTS set to the tour's endpoints.
  const config = configFromEnv({ ETCDCTL_ENDPOINTS: ctx.endpoints.join(",") });
  await using client = createClient({ ...config, dialTimeoutMs: 5_000 });
  const p = `${ctx.prefix}client/`;

  await client.kv.put(`${p}greeting`, "hello");
  ctx.say(`client.kv: put/get greeting → "${(await client.kv.get(`${p}greeting`))?.text()}"`);
  const create = () => client.kv.txn().if(keyMissing(`${p}config`)).then(op.put(`${p}config`, "{}")).commit();
  const first = await create();
  const second = await create();
  ctx.say(`create-if-absent (keyMissing) twice → ${first.succeeded ? "created" : "kept"}, then ${second.succeeded ? "created" : "kept"}`);

  const watch = client.watch.watch(`${p}jobs/`, { prefix: true });
  await watch.ready;
  await using lease = await client.lease.grant(10, { keepAlive: true });
  await client.kv.put(`${p}jobs/1`, "queued", { lease: lease.id });
  for await (const batch of watch) {
    ctx.say(`client.watch saw ${batch.events.map((e) => `${e.type} jobs/${e.kv.keyText().slice(`${p}jobs/`.length)}`).join(", ")} (key on a kept-alive lease)`);
    break;
  }

  const app = client.namespace(`${p}app/`);
  await app.kv.put("replicas", "3");
  const inside = (await app.kv.getAll()).kvs.map((kv) => kv.keyText());
  ctx.say(`client.namespace("…/app/") → writes app/replicas, sees ${JSON.stringify(inside)}`);

  const { members } = await client.cluster.memberList();
  ctx.say(`client.cluster → ${members.length} member(s); ${client.transport.stats.connections} connection(s) shared by every service`);
}
