/**
 * The README's gateway example runs as written against a real etcd, through the gateway
 * transport, and prints what a reader expects.
 */
import { readFile } from "node:fs/promises";
import * as kvModule from "@etcdkit/kv";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as watchModule from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as gatewayModule from "./gateway/index.js";
import * as connectModule from "@connectrpc/connect";
import * as rpcModule from "@etcdkit/api/etcdserverpb/rpc_pb";
import * as transportModule from "./index.js";

describe("packages/transport/README.md", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("the gateway example runs as written", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "## The gateway transport (`@etcdkit/transport/gateway`): browsers and edge runtimes"), {
      modules: { "@etcdkit/kv": kvModule, "@etcdkit/watch": watchModule, "@etcdkit/transport/gateway": gatewayModule },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual(["hello", "put greeting"]);
  });

  it("the observability example runs as written and prints the connection, the call, and the close", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "## Observability: interceptors and events"), {
      modules: { "@connectrpc/connect": connectModule, "@etcdkit/api/etcdserverpb/rpc_pb": rpcModule, "@etcdkit/transport": transportModule },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    const url = cluster.endpoints[0];
    expect(lines).toEqual([`connected to ${url}`, `Put on ${url}: 1 attempt(s)`, `lost ${url} (closed): the transport was closed`]);
  });
});
