/**
 * The Lambda-style handler, for real: bundled with esbuild into one file, copied into a folder
 * with no node_modules, and invoked several times by one process (a warm execution environment)
 * against a real etcd that is restarted between two invocations.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { createOwnedTempDir, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleEntry } from "../runtimes/bundle.js";

const temp = createOwnedTempDir("lambda");
const fn = join(temp, "function");
let cluster: EtcdCluster;
let runtime: ChildProcessWithoutNullStreams;
let results: AsyncIterator<string>;

async function invoke(event: object): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  runtime.stdin.write(`${JSON.stringify(event)}\n`);
  const line = await results.next();
  const { statusCode, body } = JSON.parse(line.value as string) as { statusCode: number; body: string };
  return { statusCode, body: JSON.parse(body) as Record<string, unknown> };
}

beforeAll(async () => {
  cluster = await startEtcd({ members: 1 });
  const bundle = await bundleEntry("examples/lambda/src/handler.ts", fn, { platform: "node", outName: "handler.mjs" });
  copyFileSync(new URL("./invoke-loop.mjs", import.meta.url), join(temp, "invoke-loop.mjs"));
  runtime = spawn(process.execPath, [join(temp, "invoke-loop.mjs"), bundle], {
    cwd: fn,
    env: { PATH: process.env["PATH"] ?? "", ETCD_ENDPOINTS: cluster.clientUrls.join(",") },
  });
  results = createInterface({ input: runtime.stdout })[Symbol.asyncIterator]();
});
afterAll(async () => {
  if (runtime?.exitCode === null) runtime.kill("SIGKILL");
  await cluster?.[Symbol.asyncDispose]();
  rmSync(temp, { recursive: true, force: true });
});

describe("the Lambda handler", () => {
  it("runs from a folder without node_modules", () => {
    for (let dir = fn; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, "node_modules")), dir).toBe(false);
  });

  it("reuses its transport across warm invocations and survives an etcd restart between two of them", async () => {
    const first = await invoke({ key: "lambda/k", value: "one" });
    expect(first).toMatchObject({ statusCode: 200, body: { value: "one", invocations: 1, calls: 2 } });
    const second = await invoke({ key: "lambda/k", value: "two" });
    expect(second).toMatchObject({ statusCode: 200, body: { value: "two", invocations: 2, calls: 4 } }); // same transport: counters go on

    await cluster.kill(0);
    await cluster.restart(0);
    const third = await invoke({ key: "lambda/k", value: "three" });
    expect(third).toMatchObject({ statusCode: 200, body: { value: "three", invocations: 3, calls: 6 } });
    expect(BigInt(third.body["revision"] as string)).toBeGreaterThan(BigInt(second.body["revision"] as string));
    const fourth = await invoke({ key: "lambda/k" });
    expect(fourth).toMatchObject({ statusCode: 200, body: { value: "three", invocations: 4 } });
  });
});
