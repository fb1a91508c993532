/**
 * The README's quick start runs as a test against a real etcd: the code block is taken from
 * packages/otel/README.md as it is, pointed at the test's etcd, and its output checked; the Keys
 * block's calls are checked to create interceptors.
 */
import { readFile } from "node:fs/promises";
import * as kvModule from "@etcdkit/kv";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import * as sdkModule from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as otelModule from "./index.js";

describe("packages/otel/README.md", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("the quick start runs as written and prints one span per call, with its key and retries", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
      modules: {
        "@opentelemetry/sdk-trace-base": sdkModule,
        "@etcdkit/kv": kvModule,
        "@etcdkit/otel": otelModule,
        "@etcdkit/transport": transportModule,
      },
      replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
    });
    expect(lines).toEqual(["etcdserverpb.KV/Put config/feature-x 0", "etcdserverpb.KV/Range config/feature-x 0"]);
  });

  it("the Keys examples create interceptors", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(`${codeBlockAfter(readme, "## Keys")}\nconsole.log("ok");`, {
      modules: { "@etcdkit/otel": otelModule },
      replace: [[/^/, 'import { createTracingInterceptor } from "@etcdkit/otel";\n']],
    });
    expect(lines).toEqual(["ok"]);
  });
});
