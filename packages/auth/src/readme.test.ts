/**
 * The README's quick start runs as a test against a real etcd: the code block is taken from
 * packages/auth/README.md as it is, pointed at the test's etcd, and its output checked.
 */
import { readFile } from "node:fs/promises";
import * as connectModule from "@connectrpc/connect";
import * as rpcModule from "@etcdkit/api/etcdserverpb/rpc_pb";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as authModule from "./index.js";

describe("packages/auth/README.md", () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(() => etcd?.stop());

  it("the quick start runs as written: the reader reads, is denied a write, and auth is disabled again", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
      modules: {
        "@connectrpc/connect": connectModule,
        "@etcdkit/api/etcdserverpb/rpc_pb": rpcModule,
        "@etcdkit/auth": authModule,
        "@etcdkit/transport": transportModule,
      },
      replace: [['"http://127.0.0.1:2379"', JSON.stringify(etcd.endpoints[0])]],
    });
    expect(lines).toEqual(["0", "true"]);
    // Auth is off again: an anonymous write works.
    const transport = transportModule.createTransport({ endpoints: etcd.endpoints });
    try {
      await connectModule.createClient(rpcModule.KV, transport).put({ key: transportModule.toBytes("app/x"), value: new Uint8Array() });
    } finally {
      await transport.close();
    }
  });
});
