import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { once } from "node:events";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEtcd, type EtcdCluster } from "./etcd-cluster.js";
import { probeHealth } from "./health-check.js";
import { requestText } from "./http-json.js";
import { findEtcdProcesses } from "./sweep-leftovers.js";
import { readOwnerPid, TEMP_ROOT_PREFIX, tempRootPrefix } from "./temp-root.js";
import { createOwnedTempDir } from "./temp-root.js";

function expectPidGone(pid: number): void {
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
}

/** Temp roots and etcd processes owned by this test process. */
function ours(): { roots: string[]; pids: number[] } {
  const roots = readdirSync(os.tmpdir())
    .filter((e) => e.startsWith(TEMP_ROOT_PREFIX))
    .map((e) => path.join(os.tmpdir(), e))
    .filter((r) => readOwnerPid(r) === process.pid);
  const pids = findEtcdProcesses()
    .filter((p) => readOwnerPid(p.root) === process.pid || !existsSync(p.root))
    .map((p) => p.pid);
  return { roots, pids };
}

function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
}

describe("startEtcd with one member", () => {
  let cluster: EtcdCluster | undefined;
  let busy: Server | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    busy?.close();
    busy = undefined;
    expect(ours()).toEqual({ roots: [], pids: [] });
  });

  it("starts a healthy member; stop() kills it and deletes the temp dir", async () => {
    cluster = await startEtcd();
    const [m] = cluster.members;
    if (m === undefined) throw new Error("no member");
    expect(cluster.members).toHaveLength(1);
    expect(m).toMatchObject({ index: 0, name: "member-0", running: true, paused: false, proxy: undefined });
    expect(m.clientUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(m.peerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(m.endpoint).toBe(m.clientUrl);
    expect(cluster.endpoints).toEqual([m.clientUrl]);
    expect(cluster.clientUrls).toEqual([m.clientUrl]);
    expect(cluster.root.startsWith(tempRootPrefix())).toBe(true);
    expect(m.dataDir).toBe(path.join(cluster.root, "member-0"));
    expect(readOwnerPid(cluster.root)).toBe(process.pid);

    const { status, body } = await requestText(`${m.clientUrl}/health`);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ health: "true" });

    const pid = m.pid;
    if (pid === undefined) throw new Error("no pid");
    expect(cmdline(pid)).toContain(`--data-dir=${m.dataDir}`);
    const root = cluster.root;
    expect(existsSync(m.dataDir)).toBe(true);

    await cluster.stop();
    expectPidGone(pid);
    expect(existsSync(root)).toBe(false);
    expect(m.running).toBe(false);
    expect(m.pid).toBeUndefined();
    await cluster.stop(); // idempotent
    await expect(cluster.restart(0)).rejects.toThrow("cluster was stopped");
  });

  it("is AsyncDisposable (await using)", async () => {
    let root = "";
    let pid: number | undefined;
    {
      await using c = await startEtcd();
      root = c.root;
      pid = c.members[0]?.pid;
      expect((await probeHealth(c.clientUrls[0]!)).healthy).toBe(true);
    }
    expect(existsSync(root)).toBe(false);
    expectPidGone(pid!);
  });

  it("passes flags to every member and memberFlags per member", async () => {
    cluster = await startEtcd({ flags: ["--max-txn-ops=2"], memberFlags: (i) => [`--quota-backend-bytes=${(i + 1) * 1_000_000_000}`] });
    const m = cluster.members[0]!;
    const args = cmdline(m.pid!);
    expect(args).toContain("--max-txn-ops=2");
    expect(args).toContain("--quota-backend-bytes=1000000000");
    expect(args).toEqual(expect.arrayContaining(["--heartbeat-interval=50", "--election-timeout=500", "--log-level=warn"]));
    const put = (k: string) => ({ requestPut: { key: Buffer.from(k).toString("base64"), value: "" } });
    const txn = (n: number) =>
      requestText(`${m.clientUrl}/v3/kv/txn`, {
        method: "POST",
        body: JSON.stringify({ success: Array.from({ length: n }, (_, k) => put(`k${k}`)) }),
      });
    expect((await txn(2)).status).toBe(200);
    const tooMany = await txn(3);
    expect(tooMany.status).not.toBe(200);
    expect(tooMany.body).toContain("too many operations in txn request");
  });

  it("fails with the member's logs and leaves nothing behind when etcd cannot start", async () => {
    const error = await startEtcd({ flags: ["--no-such-flag"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/etcd member-0 .* is not running \(last exit: code \d+\)/);
    expect((error as Error).message).toContain("no-such-flag");
  });

  it("picks new ports when a port was taken meanwhile", async () => {
    busy = createServer();
    busy.listen(0, "127.0.0.1");
    await once(busy, "listening");
    const busyPort = (busy.address() as { port: number }).port;
    let calls = 0;
    // the first attempt's member listens on a taken port, the second one does not
    cluster = await startEtcd({
      memberFlags: () => (calls++ === 0 ? [`--listen-client-urls=http://127.0.0.1:${busyPort}`] : []),
    });
    expect(calls).toBe(2);
    expect((await probeHealth(cluster.clientUrls[0]!)).healthy).toBe(true);
    expect(cluster.members[0]!.logs()).not.toContain("address already in use");
  });

  it("gives up after a few attempts when the port stays taken", async () => {
    busy = createServer();
    busy.listen(0, "127.0.0.1");
    await once(busy, "listening");
    const busyPort = (busy.address() as { port: number }).port;
    let calls = 0;
    const error = await startEtcd({
      memberFlags: () => {
        calls++;
        return [`--listen-client-urls=http://127.0.0.1:${busyPort}`];
      },
    }).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect((error as Error).message).toContain("address already in use");
  });

  it("rejects a bad member count", async () => {
    await expect(startEtcd({ members: 0 })).rejects.toThrow(RangeError);
  });
});

let openssl = false;
try {
  execFileSync("openssl", ["version"], { stdio: "ignore" });
  openssl = true;
} catch {
  // no openssl: skip the TLS test
}

describe.skipIf(!openssl)("startEtcd with scheme https", () => {
  let dir: string | undefined;
  let cluster: EtcdCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("serves clients over TLS on https:// URLs", async () => {
    dir = createOwnedTempDir("tls");
    const cert = path.join(dir, "server.crt");
    const key = path.join(dir, "server.key");
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    ], { stdio: "ignore" });
    cluster = await startEtcd({ scheme: "https", proxy: true, flags: [`--cert-file=${cert}`, `--key-file=${key}`] });
    const m = cluster.members[0]!;
    expect(m.clientUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(m.peerUrl).toMatch(/^http:\/\//);
    expect(m.endpoint).toBe(`https://127.0.0.1:${m.proxy!.port}`);
    expect((await probeHealth(m.clientUrl)).healthy).toBe(true);
    expect((await probeHealth(m.endpoint)).healthy).toBe(true);
    expect((await probeHealth(`http://${new URL(m.clientUrl).host}`)).healthy).toBe(false);
  });
});
