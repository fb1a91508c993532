import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import type { BenchClient, ClientFactory } from "./types.js";

/**
 * Connect's generic gRPC transport from `@connectrpc/connect-node`, with its default options.
 * The session manager is passed explicitly only so that close() can end the HTTP/2 session;
 * it is the same `new Http2SessionManager(baseUrl)` that createGrpcTransport builds by default.
 */
export const connectGrpcClient: ClientFactory = {
  name: "connect-grpc",
  description: "Connect's generic createGrpcTransport({ baseUrl }) from @connectrpc/connect-node, createClient(KV, transport)",
  unavailable: () => Promise.resolve(undefined),
  create(url: string): Promise<BenchClient> {
    const sessionManager = new Http2SessionManager(url);
    const kv = createClient(KV, createGrpcTransport({ baseUrl: url, sessionManager }));
    return Promise.resolve({
      put: (key, value) => kv.put({ key, value }),
      get: (key) => kv.range({ key }).then((res) => res.kvs[0]?.value),
      close() {
        sessionManager.abort();
        return Promise.resolve();
      },
    });
  },
};
