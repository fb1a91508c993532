/**
 * The README's quick start runs as a test against a real etcd: the code block is taken from
 * packages/ordering/README.md as it is, pointed at the test's etcd, and its output checked.
 */
import { readFile } from "node:fs/promises";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orderingModule from "./index.js";

describe("packages/ordering/README.md", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("the quick start runs as written and prints what it says", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
      modules: { "@etcdkit/ordering": orderingModule, "@etcdkit/transport": transportModule },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual(["v2 true 0"]);
  });
});
