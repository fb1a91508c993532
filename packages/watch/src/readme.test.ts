/**
 * The README's code blocks (quick start, shutting down) run as tests against a real etcd: each is
 * taken from packages/watch/README.md as it is, pointed at the test's etcd, and its console
 * output checked.
 */
import { readFile } from "node:fs/promises";
import * as kvModule from "@etcdkit/kv";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as watchModule from "./index.js";

describe("packages/watch/README.md", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("the quick start runs as written and prints what its comments say", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
      modules: { "@etcdkit/watch": watchModule, "@etcdkit/kv": kvModule, "@etcdkit/transport": transportModule },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual(['PUT "foo" : "bar"', 'PUT "foo/a" : "1"', 'PUT "foo/b" : "2"', '["foo/a","foo/b"] true']);
  });

  it("the shutdown example ends its watch quietly, then closes the transport", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Shutting down"), {
      modules: { "@etcdkit/watch": watchModule, "@etcdkit/transport": transportModule },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual(["watch ended quietly"]);
  });
});
