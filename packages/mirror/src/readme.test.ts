/**
 * The README's quick start runs as a test against two real etcd clusters: the code block is taken
 * from packages/mirror/README.md as it is, pointed at the test's clusters, and its output checked.
 */
import { readFile } from "node:fs/promises";
import * as kvModule from "@etcdkit/kv";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import * as watchModule from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mirrorModule from "./index.js";

describe("packages/mirror/README.md", () => {
  let from: EtcdCluster;
  let to: EtcdCluster;
  beforeAll(async () => {
    [from, to] = await Promise.all([startEtcd(), startEtcd()]);
  });
  afterAll(() => Promise.all([from?.stop(), to?.stop()]));

  it("the quick start runs as written and prints what it says", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
      modules: {
        "@etcdkit/kv": kvModule,
        "@etcdkit/mirror": mirrorModule,
        "@etcdkit/transport": transportModule,
        "@etcdkit/watch": watchModule,
      },
      replace: {
        '"http://127.0.0.1:2379"': JSON.stringify(from.endpoints[0]),
        '"http://127.0.0.1:22379"': JSON.stringify(to.endpoints[0]),
      },
    });
    expect(lines).toEqual(['["app/a","app/b"]']);
  });
});
