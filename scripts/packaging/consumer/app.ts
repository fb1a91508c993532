/**
 * A strict TypeScript application using etcdkit installed from packed tarballs, compiled with the
 * tsconfig the root README recommends and run on Node.js: `await using` (down-levelled by
 * TypeScript for Node 20), typed results, typed errors.
 * usage: node dist/app.js <endpoint>
 */
import { createClient, isEtcdError, type EtcdClient, type KeyValue } from "etcdkit";
import { createKV } from "@etcdkit/kv";
import { createTransport } from "@etcdkit/transport";

const endpoint = process.argv[2] ?? "http://127.0.0.1:2379";
let closedClient: EtcdClient | undefined;
{
  await using client = createClient({ endpoints: [endpoint] });
  closedClient = client;
  const { revision } = await client.kv.put("consumer/ts", "compiled");
  const { kv: got }: { kv: KeyValue | undefined } = await client.kv.get("consumer/ts");
  let reason = "accepted";
  try {
    await client.kv.get("", { timeoutMs: 5_000 });
  } catch (err) {
    if (isEtcdError(err)) reason = err.reason;
  }
  let viaTransport: string | undefined;
  {
    await using transport = createTransport({ endpoints: [endpoint] });
    viaTransport = (await createKV(transport).get("consumer/ts")).kv?.text();
  }
  console.log(JSON.stringify({ value: got?.text(), viaTransport, revisionMatches: got?.modRevision === revision, emptyKey: reason }));
}
// `await using` closed the client at the end of its block: a call now fails "transport-closed".
try {
  await closedClient.kv.get("consumer/ts");
  console.log(JSON.stringify({ afterDispose: "answered" }));
} catch (err) {
  console.log(JSON.stringify({ afterDispose: isEtcdError(err) ? err.reason : String(err) }));
}
