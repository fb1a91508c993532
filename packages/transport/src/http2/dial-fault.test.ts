import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Runs dial-fault.test-helpers.ts against `endpoint`; resolves with its exit code and output. */
async function runChild(endpoint: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = fileURLToPath(new URL("./dial-fault.test-helpers.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@etcdkit/source", script, endpoint], {
    cwd: fileURLToPath(new URL("../../../..", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (c) => {
      clearTimeout(killer);
      resolve(c);
    });
  });
  return { code, stdout, stderr };
}

describe("a connection that fails right after the HTTP/2 handshake", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("does not crash the process; the endpoint counts as failed and the call fails unavailable, unsent", async () => {
    const { code, stdout, stderr } = await runChild(cluster.endpoints[0]!);
    expect(code, stderr).toBe(0);
    const outcome = JSON.parse(stdout.trim().split("\n").at(-1)!) as { reason?: string; message?: string; streams: number };
    expect(outcome.reason).toBe("unavailable");
    // The endpoint's recorded failure names the cause, and no request went out on the broken session.
    expect(outcome.message).toContain("injected fault right after SETTINGS");
    expect(outcome.streams).toBe(0);
  });
});
