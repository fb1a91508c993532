/**
 * Bun and Deno, for real: the same script bundle (put, get, txn, watch, lease keepalive) runs in
 * each runtime over both transports against a local etcd. Both runtimes provide node:http2, so
 * the gRPC transport runs there as it is; the gateway transport uses their fetch.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createOwnedTempDir, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleEntry } from "./bundle.js";
import { lastJson, runProcess } from "./run-process.js";
import { runtimeBinary } from "./runtime-binaries.js";

const temp = createOwnedTempDir("runtimes");
let cluster: EtcdCluster;
let bundle: string;
beforeAll(async () => {
  [cluster, bundle] = await Promise.all([
    startEtcd({ members: 1 }),
    bundleEntry("examples/runtimes/script/etcd-script.ts", temp, { platform: "node" }),
  ]);
});
afterAll(async () => {
  await cluster?.[Symbol.asyncDispose]();
  rmSync(temp, { recursive: true, force: true });
});

const commands = {
  bun: (file: string) => [runtimeBinary("bun"), [file]] as const,
  deno: (file: string) => [runtimeBinary("deno"), ["run", "--allow-net", "--allow-env", "--allow-read", "--no-prompt", file]] as const,
};

describe.each(["bun", "deno"] as const)("%s", (runtime) => {
  it.each(["grpc", "gateway"] as const)("runs the script bundle over the %s transport", async (transport) => {
    const [command, args] = commands[runtime](bundle);
    const result = await runProcess(command, args, {
      cwd: temp,
      env: { ETCD_ENDPOINT: cluster.clientUrls[0]!, ETCD_TRANSPORT: transport, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(temp, "deno-dir") },
      timeoutMs: 45_000,
    });
    expect(result.timedOut, result.stderr).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    const output = lastJson(result.stdout) as Record<string, unknown>;
    expect(output).toMatchObject({ transport, got: "1", txn: true, events: ["put a=1", "put b=2"], leasedAlive: true, leasedGone: true });
    expect(String(output["runtime"])).toMatch(new RegExp(`^${runtime} \\d`));
  });
});
