/**
 * The README's quick start runs as a test against a real etcd: the code block is taken from
 * packages/naming/README.md as it is, pointed at the test's etcd, and its output checked.
 */
import { readFile } from "node:fs/promises";
import * as kvModule from "@etcdkit/kv";
import * as leaseModule from "@etcdkit/lease";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import * as watchModule from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as namingModule from "./index.js";

describe("packages/naming/README.md", () => {
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
        "@etcdkit/naming": namingModule,
        "@etcdkit/transport": transportModule,
        "@etcdkit/watch": watchModule,
      },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual([
      '["add foo/bar/my-service/10.0.0.7:50051"]',
      '["delete foo/bar/my-service/10.0.0.7:50051","add foo/bar/my-service/10.0.0.8:50051"]',
      '["10.0.0.8:50051"]',
    ]);
  });
});
