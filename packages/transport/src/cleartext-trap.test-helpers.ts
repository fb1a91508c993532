/**
 * A plain-text (h2c) HTTP/2 listener standing in for a member that advertises an `http://` client
 * URL to a TLS cluster's clients. It is not etcd: it records what reaches it (the call, its
 * `token` header, whether the body carries a given secret) and answers every call as etcd answers
 * a stale token ("etcdserver: invalid auth token"), which makes a client re-authenticate.
 *
 * @example
 * ```ts
 * await using trap = await createCleartextTrap("s3cret");
 * // ... a member advertises trap.url ...
 * expect(trap.received).toEqual([]);
 * ```
 */
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";

/** One call that reached the trap. */
export interface TrappedCall {
  readonly path: string;
  /** The `token` header, if the call carried one. */
  readonly token: string | undefined;
  /** The body contained the secret (e.g. an Authenticate with the password). */
  readonly carriedSecret: boolean;
}

/**
 * A running trap.
 *
 * @example
 * ```ts
 * const trap: CleartextTrap = await createCleartextTrap("pw");
 * trap.url; // "http://127.0.0.1:40123"
 * ```
 */
export interface CleartextTrap extends AsyncDisposable {
  readonly url: string;
  /** Every call received, in order. */
  readonly received: TrappedCall[];
  /** TCP connections accepted (a client may connect without sending a call). */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Starts a trap on 127.0.0.1.
 *
 * @example
 * ```ts
 * await using trap = await createCleartextTrap(PASSWORD);
 * ```
 */
export async function createCleartextTrap(secret: string): Promise<CleartextTrap> {
  const received: TrappedCall[] = [];
  let connections = 0;
  const secretBytes = Buffer.from(secret);
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
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const token = headers.token;
      received.push({
        path: String(headers[":path"]),
        token: Array.isArray(token) ? token[0] : token,
        carriedSecret: Buffer.concat(chunks).includes(secretBytes),
      });
      if (stream.closed) return;
      stream.respond(
        { ":status": 200, "content-type": "application/grpc", "grpc-status": "3", "grpc-message": "etcdserver: invalid auth token" },
        { endStream: true },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const trap: CleartextTrap = {
    url: `http://127.0.0.1:${port}`,
    received,
    get connections() {
      return connections;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return trap.close();
    },
  };
  return trap;
}
