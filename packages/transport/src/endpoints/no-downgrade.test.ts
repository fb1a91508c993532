import { createClient } from "@connectrpc/connect";
import { Auth, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, thrownBy, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCleartextTrap, type CleartextTrap } from "../cleartext-trap.test-helpers.js";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, sleep } from "../test-support.test-helpers.js";
import { makeTestPki, type TestPki } from "../tls.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";

const PASSWORD = "tls-only-Pa55word";

/**
 * Three TLS members; member 2 advertises a plain-text client URL (the trap) instead of its own:
 * MemberList then offers a TLS client an http:// endpoint.
 */
describe("a TLS transport never connects without TLS", () => {
  let pki: TestPki;
  let trap: CleartextTrap;
  let cluster: EtcdCluster;

  beforeAll(async () => {
    pki = makeTestPki();
    trap = await createCleartextTrap(PASSWORD);
    cluster = await startEtcd({
      members: 3,
      scheme: "https",
      flags: [`--cert-file=${pki.paths.serverCert}`, `--key-file=${pki.paths.serverKey}`],
      memberFlags: (i) => (i === 2 ? [`--advertise-client-urls=${trap.url}`] : []),
    });
    await using setup = createTransport({ endpoints: cluster.clientUrls, tls: { ca: pki.ca } });
    const auth = createClient(Auth, setup);
    await auth.roleAdd({ name: "root" }).catch(() => {});
    await auth.userAdd({ name: "root", password: PASSWORD });
    await auth.userGrantRole({ user: "root", role: "root" });
    await auth.authEnable({});
  });
  afterAll(async () => {
    await cluster?.stop();
    await trap?.close();
    pki?.remove();
  });

  const tlsMembers = () => cluster.clientUrls.slice(0, 2).sort();

  it("auto-sync drops an http:// member URL: neither the token nor the password goes there", async () => {
    await using transport = createTransport({
      endpoints: [cluster.clientUrls[0]!],
      tls: { ca: pki.ca },
      auth: { username: "root", password: PASSWORD },
      autoSyncIntervalMs: 100,
    });
    const kv = createClient(KV, transport);
    await kv.put({ key: bytes("tls/k"), value: bytes("v") }, { timeoutMs: 5000 });
    for (let waited = 0; transport.endpoints.length < 2 && waited < 10_000; waited += 50) await sleep(50);
    // Past the window in which a member's "invalid auth token" leaves a fresh token alone: such an
    // answer now makes the transport authenticate again, with the password.
    await sleep(5_500);
    const failures: unknown[] = [];
    for (let i = 0; i < 40; i++) await kv.range({ key: bytes("tls/k") }, { timeoutMs: 5000 }).catch((e: unknown) => failures.push(e));
    expect(trap.received).toEqual([]);
    expect(trap.connections).toBe(0);
    expect(failures).toEqual([]);
    expect([...transport.endpoints].sort()).toEqual(tlsMembers());
  });

  it("syncEndpoints() keeps only https:// URLs; calls keep working with the token", async () => {
    await using transport = createTransport({
      endpoints: [cluster.clientUrls[1]!],
      tls: { ca: pki.ca },
      auth: { username: "root", password: PASSWORD },
    });
    const synced = [...(await transport.syncEndpoints({ timeoutMs: 5000 }))].sort();
    const kv = createClient(KV, transport);
    const failures: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      await kv.put({ key: bytes(`tls/${i}`), value: bytes("v") }, { timeoutMs: 5000 }).catch((e: unknown) => failures.push(e));
    }
    expect(trap.received).toEqual([]);
    expect(trap.connections).toBe(0);
    expect(failures).toEqual([]);
    expect(synced).toEqual(tlsMembers());
    expect(transport.stats.authentications).toBe(1);
  });

  it("forEndpoint() refuses an http:// URL on a TLS transport, before any I/O", async () => {
    await using transport = createTransport({
      endpoints: [cluster.clientUrls[0]!],
      tls: { ca: pki.ca },
      auth: { username: "root", password: PASSWORD },
    });
    const error = thrownBy(() => transport.forEndpoint(trap.url));
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect((error as Error).message).toMatch(/TLS/);
    await sleep(200);
    expect(trap.connections).toBe(0);
    expect(transport.stats.authentications).toBe(0);
  });
});
