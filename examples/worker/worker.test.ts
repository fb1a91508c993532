/**
 * The Worker example in Cloudflare's runtime, for real: bundled with esbuild as for Workers
 * (browser platform, workerd/worker conditions: no node: module), served by `workerd` from npm,
 * and called over HTTP; it talks to a local etcd with auth through the gateway transport.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAuth } from "@etcdkit/auth";
import { createTransport } from "@etcdkit/transport";
import { createOwnedTempDir, freePort, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleEntry } from "../runtimes/bundle.js";
import { runtimeBinary } from "../runtimes/runtime-binaries.js";
import { spawn, type ChildProcess } from "node:child_process";
import { workerdConfig } from "./worker-config.js";

const temp = createOwnedTempDir("workerd");
let cluster: EtcdCluster;
let workerd: ChildProcess | undefined;
let base: string;
let log = "";

beforeAll(async () => {
  cluster = await startEtcd({ members: 1 });
  await using admin = createTransport({ endpoints: cluster.clientUrls });
  const auth = createAuth(admin);
  await auth.roleAdd("root");
  await auth.userAdd("root", "root-pw");
  await auth.userGrantRole("root", "root");
  await auth.enable();

  await bundleEntry("examples/worker/src/worker.ts", temp, { platform: "browser", conditions: ["workerd", "worker"], outName: "worker.mjs" });
  const port = await freePort();
  const bindings = { ETCD_ENDPOINTS: cluster.clientUrls[0]!, ETCD_USERNAME: "root", ETCD_PASSWORD: "root-pw" };
  writeFileSync(join(temp, "config.capnp"), workerdConfig({ port, bundle: "worker.mjs", bindings }));
  workerd = spawn(runtimeBinary("workerd"), ["serve", join(temp, "config.capnp")], { cwd: temp, stdio: ["ignore", "pipe", "pipe"] });
  workerd.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  workerd.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) }).then(() => true, () => false);
    if (up) break;
    if (i > 100 || workerd.exitCode !== null) throw new Error(`workerd did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 120_000);

afterAll(async () => {
  if (workerd?.pid !== undefined && workerd.exitCode === null) workerd.kill("SIGKILL");
  await cluster?.[Symbol.asyncDispose]();
  rmSync(temp, { recursive: true, force: true });
});

describe("the Worker in workerd", () => {
  it("does put, get, txn and a short watch over the gateway, authenticated, and keeps the token in module scope", async () => {
    const first = (await (await fetch(`${base}/?key=w/a&value=one`)).json()) as Record<string, unknown>;
    expect(first, log).toMatchObject({ get: "one", txn: true, watched: ["put w/a=one", "put w/a=one-2"], authentications: 1 });
    const second = (await (await fetch(`${base}/?key=w/b&value=two`)).json()) as Record<string, unknown>;
    expect(second, log).toMatchObject({ get: "two", txn: true, watched: ["put w/b=two", "put w/b=two-2"], authentications: 1 });
    expect(BigInt(second["put"] as string)).toBeGreaterThan(BigInt(first["put"] as string));
  });
});
