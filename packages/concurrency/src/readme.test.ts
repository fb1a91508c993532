/**
 * Every TypeScript block of packages/concurrency/README.md runs as a test against a real etcd, as
 * written (pointed at the test's etcd), and prints what its comments say.
 */
import { readFile } from "node:fs/promises";
import * as kvModule from "@etcdkit/kv";
import * as leaseModule from "@etcdkit/lease";
import { codeBlocks, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as concurrencyModule from "./index.js";

const expected: Record<string, string[]> = {
  "Quick start": ["true bigint", "locked by another session", "node-1 v2", "70 30"],
  "Locks are leases: what fencing buys you": ["true", "true", "false", "false"],
  Election: ["(no leader) → worker-1 → worker-1 v2 → (no leader) → worker-2 → (no leader)"],
  Recipes: ["job 1 job 2", "released"],
  "Server-side lock and election services": ["true"],
};

describe("packages/concurrency/README.md", () => {
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
      modules: {
        "@etcdkit/concurrency": concurrencyModule,
        "@etcdkit/kv": kvModule,
        "@etcdkit/lease": leaseModule,
        "@etcdkit/transport": transportModule,
      },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual(expected[heading]);
  });
});
