/**
 * Pieces for testing what `cluster.leader()` sends where on a TLS cluster: a self-signed server
 * certificate, a plain-text HTTP/2 listener standing in for a member URL advertised as `http://`
 * (it records every call and the `token` it carried), and a TCP forwarder whose target is set
 * once the member it fronts has started (so that a member can advertise it).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as http2 from "node:http2";
import * as net from "node:net";
import * as path from "node:path";
import { createOwnedTempDir } from "@etcdkit/testing";

/** A self-signed certificate for 127.0.0.1 (its own CA). */
export function selfSignedCertificate(): { cert: string; key: string; certPem: string; dir: string } {
  const dir = createOwnedTempDir("cluster-tls");
  const cert = path.join(dir, "server.crt");
  const key = path.join(dir, "server.key");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  return { cert, key, certPem: readFileSync(cert, "utf8"), dir };
}

/** A plain-text HTTP/2 listener that records calls and answers each "invalid auth token". */
export interface Trap {
  readonly url: string;
  readonly received: Array<{ path: string; token: string | undefined }>;
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts a Trap on 127.0.0.1. */
export async function startTrap(): Promise<Trap> {
  const received: Array<{ path: string; token: string | undefined }> = [];
  let connections = 0;
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer();
  server.on("connection", () => connections++);
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    received.push({ path: String(headers[":path"]), token: headers.token as string | undefined });
    stream.respond(
      { ":status": 200, "content-type": "application/grpc", "grpc-status": "3", "grpc-message": "etcdserver: invalid auth token" },
      { endStream: true },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP forwarder to a port set later; counts the connections it forwarded. */
export interface Forwarder {
  readonly port: number;
  readonly connections: number;
  target(port: number): void;
  close(): Promise<void>;
}

/** Starts a Forwarder on 127.0.0.1. */
export async function startForwarder(): Promise<Forwarder> {
  let targetPort: number | undefined;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    if (targetPort === undefined) return void client.destroy();
    connections++;
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    target(port) {
      targetPort = port;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
