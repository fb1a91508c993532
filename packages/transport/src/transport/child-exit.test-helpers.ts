/**
 * Child process for cancel-close.test.ts: makes one call, optionally closes the transport, and
 * must then exit on its own (no timers, sockets or handles left). Prints "called" after the call.
 *
 * In "half-sent" mode the call is instead a 1 MB Put with a 1 ms deadline, cut while its request
 * is still being written (it prints "half-sent: <reason>"), with the transport's default keepalive.
 *
 * usage: node --import tsx --conditions=@etcdkit/source child-exit.test-helpers.ts <endpoint> <close|idle|pending|half-sent>
 */
import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport } from "./create-transport.js";

const [endpoint, mode] = process.argv.slice(2);
const transport =
  mode === "half-sent"
    ? createTransport({ endpoints: [endpoint!] })
    : createTransport({ endpoints: [endpoint!], keepAliveIntervalMs: 1000, autoSyncIntervalMs: 1000 });
const kv = createClient(KV, transport);
await kv.put({ key: new TextEncoder().encode("child/k"), value: new TextEncoder().encode("v") });
console.log("called");
if (mode === "half-sent") {
  const outcome = await kv
    .put({ key: new TextEncoder().encode("child/big"), value: new Uint8Array(1_000_000) }, { timeoutMs: 1 })
    .then(() => "ok", (err: unknown) => (err as { reason?: string }).reason);
  console.log("half-sent:", outcome);
} else if (mode === "close") {
  await transport.close();
} else if (mode === "pending") {
  // A watch that never ends, then close: the stream must not keep the process alive.
  const { Watch } = await import("@etcdkit/api/etcdserverpb/rpc_pb");
  const requests = (async function* () {
    yield { requestUnion: { case: "createRequest" as const, value: { key: new TextEncoder().encode("child/k") } } };
    await new Promise(() => {});
  })();
  const stream = createClient(Watch, transport).watch(requests);
  const iterate = (async () => {
    for await (const _ of stream) {
      // created response
    }
  })().catch((err: unknown) => console.log("stream ended:", (err as { reason?: string }).reason));
  await new Promise((r) => setTimeout(r, 200));
  await transport.close();
  await iterate;
}
