/**
 * Child process for dial-fault.test.ts: every HTTP/2 session this process opens is destroyed
 * with an error (its socket first) right after the server's SETTINGS frame arrived, i.e. between the dial and the
 * session's hand-over to the connection that uses it. Makes one call and prints its outcome as
 * JSON; the process must neither crash nor hang.
 *
 * usage: node --import tsx --conditions=@etcdkit/source dial-fault.test-helpers.ts <endpoint>
 */
import type * as Http2 from "node:http2";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createTransport } from "../transport/create-transport.js";

/** node:http2 as a mutable CommonJS object; syncBuiltinESMExports() shows changes to ESM importers. */
const http2 = createRequire(import.meta.url)("node:http2") as typeof Http2;
const connect = http2.connect;
http2.connect = ((authority: string, options: Http2.SecureClientSessionOptions) => {
  let socket: import("node:net").Socket | undefined;
  const session = connect(authority, {
    ...options,
    createConnection: (...args: unknown[]) => {
      socket = (options.createConnection as (...a: unknown[]) => import("node:net").Socket)(...args);
      return socket;
    },
  });
  // The connection breaks while the SETTINGS frame is handled: node:http2 then reports the
  // session's error on the next tick, before any promise continuation runs.
  session.once("remoteSettings", () => {
    socket?.destroy();
    session.destroy(new Error("injected fault right after SETTINGS"));
  });
  return session;
}) as typeof http2.connect;
syncBuiltinESMExports();

const [endpoint] = process.argv.slice(2);
const transport = createTransport({ endpoints: [endpoint!], dialTimeoutMs: 1000 });
const outcome = await createClient(KV, transport)
  .range({ key: new TextEncoder().encode("k") }, { timeoutMs: 3000 })
  .then(
    () => ({ answered: true }),
    (err: { reason?: string; message?: string }) => ({ reason: err.reason, message: err.message }),
  );
console.log(JSON.stringify({ ...outcome, streams: transport.stats.streams }));
await transport.close();
