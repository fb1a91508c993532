/**
 * The README's quick start runs as a test against a real etcd: the code block is taken from
 * packages/namespace/README.md as it is, pointed at the test's etcd, and its output checked.
 */
import { readFile } from "node:fs/promises";
import * as kvModule from "@etcdkit/kv";
import * as leaseModule from "@etcdkit/lease";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import * as watchModule from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as namespaceModule from "./index.js";

describe("packages/namespace/README.md", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("the quick start runs as written and prints what its comments say", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
      modules: {
        "@etcdkit/kv": kvModule,
        "@etcdkit/lease": leaseModule,
        "@etcdkit/namespace": namespaceModule,
        "@etcdkit/transport": transportModule,
        "@etcdkit/watch": watchModule,
      },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual(['["config"]', '["worker/1"]', "app/config"]);
  });
});
