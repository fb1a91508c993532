import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { createClient } from "@connectrpc/connect";
import { Auth } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMaintenance } from "./create-maintenance.js";

const PASSWORD = "expired-Pa55word";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Per-member calls share the transport's token; after it expired (an idle backup or health-check
 * loop) each call must authenticate afresh instead of failing.
 */
describe("per-member maintenance calls after the shared token expired", () => {
  let etcd: EtcdCluster;
  let transport: EtcdTransport;
  let dir: string;

  beforeAll(async () => {
    etcd = await startEtcd({ flags: ["--auth-token-ttl=1"] });
    {
      await using setup = createTransport({ endpoints: etcd.endpoints });
      const auth = createClient(Auth, setup);
      await auth.roleAdd({ name: "root" }).catch(() => {});
      await auth.userAdd({ name: "root", password: PASSWORD });
      await auth.userGrantRole({ user: "root", role: "root" });
      await auth.authEnable({});
    }
    transport = createTransport({ endpoints: etcd.endpoints, auth: { username: "root", password: PASSWORD } });
    dir = await mkdtemp(path.join(tmpdir(), "etcdkit-expired-"));
  });
  afterAll(async () => {
    await transport?.close();
    await etcd?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("hash, hashKV and defragment re-authenticate once each and succeed", async () => {
    const maintenance = createMaintenance(transport);
    const endpoint = etcd.endpoints[0]!;
    await maintenance.status(endpoint);
    for (const run of [() => maintenance.hash(endpoint), () => maintenance.hashKV(endpoint), () => maintenance.defragment(endpoint)]) {
      await maintenance.hash(endpoint); // a token that works
      const before = transport.stats.authentications;
      await sleep(3000); // > --auth-token-ttl=1 without use
      await run();
      expect(transport.stats.authentications).toBe(before + 1);
    }
  });

  it("a snapshot to a file or a stream opens again with a fresh token; no temp file is left", async () => {
    const maintenance = createMaintenance(transport);
    const endpoint = etcd.endpoints[0]!;
    await maintenance.hash(endpoint);
    const before = transport.stats.authentications;
    await sleep(3000);
    const file = path.join(dir, "etcd.db");
    const { bytes } = await maintenance.snapshot(endpoint, file, { timeoutMs: 30_000 });
    expect((await stat(file)).size).toBe(bytes);
    expect(await readdir(dir)).toEqual(["etcd.db"]);
    expect(transport.stats.authentications).toBe(before + 1);

    await sleep(3000);
    const sink = new PassThrough();
    let received = 0;
    sink.on("data", (chunk: Buffer) => (received += chunk.length));
    const streamed = await maintenance.snapshot(endpoint, sink, { timeoutMs: 30_000 });
    expect(received).toBe(streamed.bytes);
    expect(transport.stats.authentications).toBe(before + 2);
  });
});
