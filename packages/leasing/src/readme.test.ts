/**
 * Every TypeScript block of packages/leasing/README.md runs as a test against a real etcd, as
 * written (pointed at the test's etcd), and prints what its comments say.
 */
import { readFile } from "node:fs/promises";
import * as kvModule from "@etcdkit/kv";
import { codeBlocks, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as leasingModule from "./index.js";

const expected: Record<string, string[]> = {
  "Quick start": ["true 1 1", "true", "true", "false"],
};

describe("packages/leasing/README.md", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("has a block in every section that shows code", async () => {
    const blocks = codeBlocks(await readFile(new URL("../README.md", import.meta.url), "utf8"));
    expect(blocks.map((b) => b.heading)).toEqual(Object.keys(expected));
  });

  it.each(Object.keys(expected))("the %s block runs as written and prints what its comments say", async (heading) => {
    const blocks = codeBlocks(await readFile(new URL("../README.md", import.meta.url), "utf8"));
    const block = blocks.find((b) => b.heading === heading)!;
    const lines = await runReadmeBlock(block.code, {
      modules: { "@etcdkit/leasing": leasingModule, "@etcdkit/kv": kvModule, "@etcdkit/transport": transportModule },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual(expected[heading]);
  });
});
