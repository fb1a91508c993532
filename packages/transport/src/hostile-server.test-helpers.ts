/**
 * A tiny gRPC server (node:http2, plain text) standing in for a hostile or broken etcd: it
 * answers every call, unary or streaming, with the response message bodies it was given (each
 * framed as gRPC), then grpc-status 0. It is not etcd.
 *
 * @example
 * ```ts
 * await using server = await startHostileServer(() => [unknownFieldsBody(16 * 2 ** 20)]);
 * await createClient(KV, createTransport({ endpoints: [server.url] })).range({ key });
 * ```
 */
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";

/** A running server. */
export interface HostileServer extends AsyncDisposable {
  readonly url: string;
  /** Calls answered. */
  readonly calls: number;
  close(): Promise<void>;
}

/** Starts the server; `answer(path)` gives the message bodies (unframed) of each answer. */
export async function startHostileServer(answer: (path: string) => readonly Uint8Array[]): Promise<HostileServer> {
  let calls = 0;
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    calls++;
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    for (const body of answer(String(headers[":path"]))) {
      const prefix = Buffer.alloc(5);
      prefix.writeUInt32BE(body.length, 1);
      stream.write(prefix);
      stream.write(body);
    }
    stream.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const hostile: HostileServer = {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return hostile.close();
    },
  };
  return hostile;
}

/**
 * A message body of `bytes` bytes made only of 2-byte unknown fields (field 15, varint 0): the
 * costliest input for a decoder that keeps unknown fields, and nothing for one that drops them.
 *
 * @example
 * ```ts
 * const body = unknownFieldsBody(1024); // 512 fields
 * ```
 */
export function unknownFieldsBody(bytes: number): Uint8Array {
  const body = new Uint8Array(bytes);
  for (let i = 0; i + 1 < bytes; i += 2) body[i] = 0x78; // tag: field 15, wire type 0; value 0
  return body;
}
