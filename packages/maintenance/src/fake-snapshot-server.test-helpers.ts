/**
 * A tiny gRPC server (node:http2, plain text) that answers Maintenance/Snapshot with `data` in
 * chunks followed by a 32-byte trailer: etcd's sha256 of `data`, or a wrong one (`goodTrailer`
 * false), as a broken or hostile member would send. It is not etcd.
 *
 * @example
 * ```ts
 * await using server = await startFakeSnapshotServer(new Uint8Array(1000), false);
 * ```
 */
import { createHash } from "node:crypto";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { SnapshotResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";

/** A running fake. */
export interface FakeSnapshotServer extends AsyncDisposable {
  readonly url: string;
  close(): Promise<void>;
}

function frame(blob: Uint8Array, remainingBytes: bigint): Buffer {
  const message = toBinary(SnapshotResponseSchema, create(SnapshotResponseSchema, { blob, remainingBytes }));
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** Starts the fake. */
export async function startFakeSnapshotServer(data: Uint8Array, goodTrailer: boolean): Promise<FakeSnapshotServer> {
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
  });
  server.on("stream", (stream) => {
    stream.on("error", () => {});
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    const chunk = 256;
    for (let sent = 0; sent < data.length; sent += chunk) {
      const blob = data.subarray(sent, sent + chunk);
      stream.write(frame(blob, BigInt(data.length - sent - blob.length)));
    }
    const trailer = goodTrailer ? createHash("sha256").update(data).digest() : new Uint8Array(32).fill(7);
    stream.end(frame(trailer, 0n));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const fake: FakeSnapshotServer = {
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return fake.close();
    },
  };
  return fake;
}
