/**
 * The README's examples run as tests against a real etcd: each code block is taken from
 * packages/etcdkit/README.md as it is, pointed at the test's etcd, and its output checked.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as etcdkit from "./index.js";

describe("packages/etcdkit/README.md", () => {
  let cluster: EtcdCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), "etcdkit-readme-"));
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the quick start runs as written and prints what its comments say", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
      modules: { etcdkit },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual(["hello", "true", '["put jobs/1"]', '3 ["replicas"]', "1"]);
  });

  it("the config example reads a Go YAML file and etcdctl's environment", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const code = codeBlockAfter(readme, "### Config as you already write it");
    const hostPort = cluster.endpoints[0]!.replace("http://", "");
    // The file the block's comment shows, pointed at the test's etcd.
    const yaml = [...code.matchAll(/^\/\/ {3}(.*)$/gm)].map((m) => m[1]!.replace("127.0.0.1:2379", hostPort)).join("\n");
    const path = join(dir, "client.yaml");
    writeFileSync(path, `${yaml}\n`);
    const saved = process.env.ETCDCTL_ENDPOINTS;
    process.env.ETCDCTL_ENDPOINTS = hostPort;
    try {
      const lines = await runReadmeBlock(code, { modules: { etcdkit }, replace: { '"client.yaml"': JSON.stringify(path) } });
      expect(lines).toEqual([`${JSON.stringify([cluster.endpoints[0]])} ${JSON.stringify([cluster.endpoints[0]])}`]);
    } finally {
      if (saved === undefined) delete process.env.ETCDCTL_ENDPOINTS;
      else process.env.ETCDCTL_ENDPOINTS = saved;
    }
  });
});
