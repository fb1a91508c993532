import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildEtcdArgs } from "./etcd-args.js";
import { startEtcd, type EtcdCluster } from "./etcd-cluster.js";
import { findEtcdBinary } from "./find-binary.js";
import { freePorts } from "./free-port.js";
import setup from "./global-setup.js";
import { probeHealth } from "./health-check.js";
import { isPidAlive } from "./process-liveness.js";
import { findEtcdProcesses, sweepLeftovers } from "./sweep-leftovers.js";
import { createOwnedTempDir, createTempRoot, OWNER_PID_FILE, tempRootPrefix, testProcessEnv } from "./temp-root.js";

const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
const fixture = fileURLToPath(new URL("./leaky-child.test-helpers.ts", import.meta.url));

interface ChildInfo {
  pid: number;
  root: string;
  pids: number[];
}

/** Runs the leaky child to completion; resolves with what it printed and how it ended. */
function runLeakyChild(mode: "exit" | "sigterm" | "throw", members: number) {
  return new Promise<{ info: ChildInfo; code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [tsxCli, fixture, mode, String(members)], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.on("error", reject);
      child.on("close", (code, signal) => {
        const line = stdout.split("\n").find((l) => l.startsWith("{"));
        if (line === undefined) reject(new Error(`leaky child printed nothing (code ${code}, signal ${signal}): ${stderr}`));
        else resolve({ info: JSON.parse(line) as ChildInfo, code, signal, stderr });
      });
    },
  );
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ["-e", ""]).pid;
  if (pid === undefined || isPidAlive(pid)) throw new Error("could not get a dead pid");
  return pid;
}

function expectNothingLeft(info: ChildInfo): void {
  expect(info.root.startsWith(tempRootPrefix())).toBe(true);
  expect(info.pids.length).toBeGreaterThan(0);
  expect(existsSync(info.root)).toBe(false);
  for (const pid of info.pids) expect(isPidAlive(pid)).toBe(false);
  expect(findEtcdProcesses().filter((p) => p.root === info.root)).toEqual([]);
}

describe("nothing survives a test process that ends without stop()", () => {
  it("process.exit(): the exit hook kills the members and removes the temp root", async () => {
    const { info, code } = await runLeakyChild("exit", 3);
    expect(code).toBe(0);
    expect(info.pids).toHaveLength(3);
    expectNothingLeft(info);
  });

  it("SIGTERM (how vitest ends fork workers): cleaned up, then the signal still terminates", async () => {
    const { info, code, signal } = await runLeakyChild("sigterm", 1);
    expect(signal === "SIGTERM" || code === 143 || code === 130).toBe(true);
    expectNothingLeft(info);
  });

  it("uncaught exception: cleaned up as well", async () => {
    const { info, code, stderr } = await runLeakyChild("throw", 1);
    expect(code).not.toBe(0);
    expect(stderr).toContain("leaky child crashed on purpose");
    expectNothingLeft(info);
  });
});

describe("sweepLeftovers", () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  it("kills an orphaned etcd and removes its temp root, but spares roots whose owner lives", async () => {
    const live: EtcdCluster = await startEtcd();
    cleanups.push(() => live.stop());

    const root = createTempRoot(process.pid);
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const [clientPort, peerPort] = await freePorts(2);
    const clientUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const args = buildEtcdArgs({
      name: "orphan",
      dataDir: path.join(root, "orphan"),
      clientUrl,
      peerUrl,
      initialCluster: `orphan=${peerUrl}`,
      initialClusterState: "new",
      initialClusterToken: "etcdkit-orphan",
      extraFlags: [],
    });
    // Started as the harness starts members: with the marker of its temp root in its environment.
    const orphan = spawn(findEtcdBinary(), args, { detached: true, stdio: "ignore", env: { ...process.env, ...testProcessEnv(root) } });
    const exited = new Promise<void>((resolve) => orphan.once("exit", () => resolve()));
    cleanups.push(() => void orphan.kill("SIGKILL"));
    await vi.waitFor(async () => expect((await probeHealth(clientUrl, 500)).healthy).toBe(true), { timeout: 15_000, interval: 50 });

    // while its owner (this process) lives, the root and its etcd are left alone
    let result = sweepLeftovers();
    expect(result.killed).not.toContain(orphan.pid);
    expect(result.removed).not.toContain(root);
    expect(existsSync(root)).toBe(true);

    // the owner dies: now it is an orphan
    writeFileSync(path.join(root, OWNER_PID_FILE), `${deadPid()}\n`);
    result = sweepLeftovers();
    expect(result.killed).toContain(orphan.pid);
    expect(result.removed).toContain(root);
    await exited;
    expect(existsSync(root)).toBe(false);

    // the live cluster was not touched
    expect(result.killed).not.toContain(live.members[0]!.pid);
    expect(existsSync(live.root)).toBe(true);
    expect((await probeHealth(live.clientUrls[0]!)).healthy).toBe(true);
  });

  it("spares a process it did not start, even with a data dir in an abandoned temp root (was: SIGKILLed it)", async () => {
    const root = createTempRoot(deadPid());
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    // Not started by the harness: no marker in its environment (somebody else's etcd, say).
    const stranger = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "--", `--data-dir=${path.join(root, "member")}`], {
      stdio: "ignore",
    });
    const exited = new Promise<void>((resolve) => stranger.once("exit", () => resolve()));
    cleanups.push(async () => {
      stranger.kill("SIGKILL");
      await exited;
    });
    await vi.waitFor(() => expect(isPidAlive(stranger.pid!)).toBe(true));
    const result = sweepLeftovers();
    expect(result.killed).not.toContain(stranger.pid);
    expect(isPidAlive(stranger.pid!)).toBe(true);
    expect(findEtcdProcesses().map((p) => p.pid)).not.toContain(stranger.pid);
    // Its data dir is in use: the root stays until that process is gone.
    expect(result.removed).not.toContain(root);
    expect(existsSync(root)).toBe(true);
  });

  it("removes the scratch dirs of dead test processes (createOwnedTempDir), not those of live ones", () => {
    const mine = createOwnedTempDir("scratch");
    cleanups.push(() => rmSync(mine, { recursive: true, force: true }));
    expect(mine.startsWith(`${tempRootPrefix()}scratch-`)).toBe(true);
    const crashed = createOwnedTempDir("scratch", deadPid());
    const { removed } = sweepLeftovers();
    expect(removed).toContain(crashed);
    expect(existsSync(crashed)).toBe(false);
    expect(existsSync(mine)).toBe(true);
  });

  it("removes temp roots of dead owners, keeps fresh roots that have no owner.pid yet", () => {
    const stale = createTempRoot(deadPid());
    const fresh = mkdtempSync(tempRootPrefix());
    cleanups.push(() => rmSync(fresh, { recursive: true, force: true }));
    const { removed } = sweepLeftovers();
    expect(removed).toContain(stale);
    expect(existsSync(stale)).toBe(false);
    expect(removed).not.toContain(fresh);
    expect(existsSync(fresh)).toBe(true);
  });

  it("global-setup sweeps before the run and at teardown, printing what it removed", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    cleanups.push(() => log.mockRestore());
    const before = createTempRoot(deadPid());
    const teardown = setup();
    expect(existsSync(before)).toBe(false);
    expect(log).toHaveBeenCalledWith(expect.stringContaining(`before the run: removed 1 temp root(s): ${before}`));
    const after = createTempRoot(deadPid());
    await teardown();
    expect(existsSync(after)).toBe(false);
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining(`after the run: removed 1 temp root(s): ${after}`));
  });
});
