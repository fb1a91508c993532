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
});
