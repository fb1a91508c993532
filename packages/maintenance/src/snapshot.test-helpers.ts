import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { findEtcdBinary, findEtcdctlBinary, freePorts, probeHealth } from "@etcdkit/testing";

/** The environment for etcd / etcdctl child processes: no stray ETCD_* / ETCDCTL_* settings. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("ETCDCTL_")) continue;
    if (!key.startsWith("ETCD_") || key === "ETCD_UNSUPPORTED_ARCH") env[key] = value;
  }
  return { ...env, ...extra };
}

/** A fresh temp directory `${tmpdir}/etcdkit-snapshot-test-*`. */
export function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), "etcdkit-snapshot-test-"));
}

/** An etcd started by a test on a restored data dir; `stop()` kills it and deletes its directory. */
export interface RestoredEtcd {
  readonly clientUrl: string;
  stop(): Promise<void>;
}

/**
 * Restores `snapshotFile` with `etcdctl snapshot restore` into a fresh data dir (as a new
 * one-member cluster named "restored") and starts an etcd on it with free ports; resolves once
 * its /health is true. Rejects (after killing the process and deleting the directory) if it
 * does not become healthy within `timeoutMs`.
 */
export async function restoreAndStart(snapshotFile: string, timeoutMs = 20_000): Promise<RestoredEtcd> {
  const root = await makeTempDir();
  const dataDir = path.join(root, "restored.etcd");
  const [clientPort, peerPort] = await freePorts(2);
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const cluster = ["--name=restored", `--initial-cluster=restored=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`];
  let child: ChildProcess | undefined;
  let logs = "";
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc !== undefined && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGKILL");
      await exited;
    }
    await rm(root, { recursive: true, force: true });
  };
  try {
    await promisify(execFile)(
      findEtcdctlBinary(),
      ["snapshot", "restore", snapshotFile, ...cluster, `--initial-cluster-token=restored-${clientPort}`, `--data-dir=${dataDir}`],
      { env: childEnv({ ETCDCTL_API: "3" }), timeout: timeoutMs },
    );
    child = spawn(
      findEtcdBinary(),
      [
        ...cluster,
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        "--logger=zap",
        "--log-outputs=stderr",
        "--log-level=warn",
      ],
      { env: childEnv({}), stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr?.on("data", (chunk: Buffer) => (logs = (logs + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await probeHealth(clientUrl, 1_000)).healthy) break;
      if (child.exitCode !== null) throw new Error(`restored etcd exited (${child.exitCode}):\n${logs}`);
      if (Date.now() > deadline) throw new Error(`restored etcd not healthy after ${timeoutMs} ms:\n${logs}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { clientUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
