/**
 * The README's quick start runs as a test against a real etcd: the code block is taken from
 * packages/kv/README.md as it is, pointed at the test's etcd, and its console output checked.
 */
import { readFile } from "node:fs/promises";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as kvModule from "./index.js";

describe("packages/kv/README.md", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("the quick start runs as written and prints what its comments say", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
      modules: { "@etcdkit/kv": kvModule, "@etcdkit/transport": transportModule },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines[0]).toBe("sample_value 1 true");
    expect(lines[1]).toBe('["key_2","key_1","key_0"]');
    expect(lines[2]).toBe("XYZ");
    const pages = lines.slice(3, 5).map((line) => line.split(" "));
    expect(pages.map(([, count]) => count)).toEqual(["2", "1"]);
    expect(pages[0]![0]).toBe(pages[1]![0]);
    expect(lines.slice(5)).toEqual(["3", "4"]);
  });
});
