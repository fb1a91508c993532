import type { ClientHttp2Session } from "node:http2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEtcd, type EtcdCluster } from "./etcd-cluster.js";
import type { EtcdMember } from "./etcd-member.js";
import { connectH2, grpcUnary, sessionClosed } from "./grpc-raw.test-helpers.js";
import { probeHealth } from "./health-check.js";
import { requestText } from "./http-json.js";
import type { TcpProxy } from "./tcp-proxy.js";

describe("TcpProxy in front of a real etcd member", () => {
  let cluster: EtcdCluster;
  let member: EtcdMember;
  let proxy: TcpProxy;
  const sessions: ClientHttp2Session[] = [];
  const h2 = async (): Promise<ClientHttp2Session> => {
    const s = await connectH2(member.endpoint);
    sessions.push(s);
    return s;
  };

  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    member = cluster.members[0]!;
    proxy = member.proxy!;
  });
  afterEach(() => {
    for (const s of sessions.splice(0)) s.destroy();
    proxy.setMode("pass");
    proxy.resetStats();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("is wired as the member's endpoint", () => {
    expect(proxy).toBeDefined();
    expect(member.endpoint).toBe(proxy.url);
    expect(member.endpoint).not.toBe(member.clientUrl);
    expect(cluster.endpoints).toEqual([proxy.url]);
    expect(cluster.clientUrls).toEqual([member.clientUrl]);
  });

  it("pass: forwards HTTP /health and gRPC calls", async () => {
    expect((await probeHealth(member.endpoint)).healthy).toBe(true);
    const { grpcStatus, bytes } = await grpcUnary(await h2());
    expect(grpcStatus).toBe("0");
    expect(bytes).toBeGreaterThan(5);
    expect(proxy.stats.connections).toBe(2);
    expect(proxy.stats.bytesUp).toBeGreaterThan(0);
    expect(proxy.stats.bytesDown).toBeGreaterThan(bytes);
  });

  it("counts gRPC calls as HTTP/2 streams", async () => {
    const session = await h2();
    for (let i = 0; i < 3; i++) expect((await grpcUnary(session)).grpcStatus).toBe("0");
    expect(proxy.stats).toMatchObject({ connections: 1, activeConnections: 1, http2Streams: 3 });
    await Promise.all([grpcUnary(session), grpcUnary(session)]);
    expect(proxy.stats.http2Streams).toBe(5);
    await grpcUnary(await h2());
    expect(proxy.stats).toMatchObject({ connections: 2, http2Streams: 6 });
    await probeHealth(member.endpoint); // HTTP/1.1: no streams
    expect(proxy.stats).toMatchObject({ connections: 3, http2Streams: 6 });
  });

  it("blackhole: calls hang on an open connection, which survives and works again after pass", async () => {
    const session = await h2();
    await grpcUnary(session);
    proxy.setMode("blackhole");
    const started = Date.now();
    await expect(grpcUnary(session, undefined, 400)).rejects.toThrow(/timed out after 400 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(395);
    expect(session.closed || session.destroyed).toBe(false);
    expect(proxy.stats.activeConnections).toBe(1);
    // new connections are accepted but go nowhere
    await expect(requestText(`${member.endpoint}/health`, { timeoutMs: 300 })).rejects.toThrow(/timed out/);
    proxy.setMode("pass");
    expect((await grpcUnary(session)).grpcStatus).toBe("0");
  });

  it("reset: open connections are reset and new ones fail fast", async () => {
    const session = await h2();
    await grpcUnary(session);
    proxy.setMode("reset");
    await sessionClosed(session, 1_000);
    const started = Date.now();
    await expect(requestText(`${member.endpoint}/health`, { timeoutMs: 2_000 })).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(Date.now() - started).toBeLessThan(500);
    proxy.setMode("pass");
    expect((await probeHealth(member.endpoint)).healthy).toBe(true);
  });

  it("delay: adds at least delayMs", async () => {
    const session = await h2();
    await grpcUnary(session);
    proxy.setMode("delay", { delayMs: 250 });
    let started = Date.now();
    expect((await grpcUnary(session)).grpcStatus).toBe("0");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    started = Date.now();
    expect((await probeHealth(member.endpoint)).healthy).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("keeps working across kill/restart of the member behind it", async () => {
    await cluster.kill(0);
    const started = Date.now();
    await expect(requestText(`${member.endpoint}/health`)).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(Date.now() - started).toBeLessThan(500);
    await cluster.restart(0);
    expect((await probeHealth(member.endpoint)).healthy).toBe(true);
  });
});
