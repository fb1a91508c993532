import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "./errors/etcd-error.js";
import { bytes, text, timed } from "./test-support.test-helpers.js";
import { makeTestPki, type TestPki } from "./tls.test-helpers.js";
import { createTransport } from "./transport/create-transport.js";
import type { TlsOptions } from "./tls.js";

describe("TLS", () => {
  let pki: TestPki;
  let cluster: EtcdCluster;

  beforeAll(async () => {
    pki = makeTestPki();
    cluster = await startEtcd({
      scheme: "https",
      flags: [
        `--cert-file=${pki.paths.serverCert}`,
        `--key-file=${pki.paths.serverKey}`,
        `--trusted-ca-file=${pki.paths.ca}`,
        "--client-cert-auth",
      ],
      healthTls: { cert: pki.clientCert, key: pki.clientKey },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    pki?.remove();
  });

  async function attempt(tls: TlsOptions | undefined): Promise<{ ms: number; error?: unknown }> {
    await using transport = createTransport({ endpoints: cluster.endpoints, tls, dialTimeoutMs: 3000 });
    return await timed(() => createClient(KV, transport).range({ key: bytes("k") }));
  }

  it("works with the right CA and a client certificate", async () => {
    expect(cluster.endpoints[0]).toMatch(/^https:\/\//);
    await using transport = createTransport({
      endpoints: cluster.endpoints,
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
    });
    const kv = createClient(KV, transport);
    await kv.put({ key: bytes("tls/k"), value: bytes("secure") });
    const range = await kv.range({ key: bytes("tls/k") });
    expect(text(range.kvs[0]!.value)).toBe("secure");
  });

  it("fails clearly without a client certificate", async () => {
    const { ms, error } = await attempt({ ca: pki.ca });
    expect(isEtcdError(error, "unavailable")).toBe(true);
    expect((error as Error).message).toMatch(/TLS: .*client certificate/);
    expect(ms).toBeLessThan(1500); // a TLS rejection is not waited out until the dial timeout
  });

  it("fails clearly with the wrong CA", async () => {
    const { ms, error } = await attempt({ ca: pki.otherCa, cert: pki.clientCert, key: pki.clientKey });
    expect(isEtcdError(error, "unavailable")).toBe(true);
    expect((error as Error).message).toMatch(/TLS: .*(unable to verify|self-signed).*tls\.ca/);
    expect(ms).toBeLessThan(1500);
  });

  it("fails clearly when the server name does not match", async () => {
    const { error } = await attempt({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, serverName: "etcd.example.com" });
    expect(isEtcdError(error, "unavailable")).toBe(true);
    expect((error as Error).message).toMatch(/does not match/);
  });

  it("fails clearly against an http endpoint that is really https", async () => {
    const plain = cluster.endpoints[0]!.replace("https://", "http://");
    await using transport = createTransport({ endpoints: [plain], dialTimeoutMs: 1000 });
    const { error, ms } = await timed(() => createClient(KV, transport).range({ key: bytes("k") }));
    expect(isEtcdError(error, "unavailable")).toBe(true);
    expect(ms).toBeLessThan(2000);
  });
});
