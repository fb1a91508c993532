import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import {
  PutRequestSchema,
  PutResponseSchema,
  RangeRequestSchema,
  RangeResponseSchema,
} from "@etcdkit/api/etcdserverpb/rpc_pb";
import type { BenchClient, ClientFactory } from "./types.js";

/** Wraps a protobuf message in gRPC's 5-byte length-prefixed frame (uncompressed). */
function frame<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Buffer {
  const body = toBinary(schema, message);
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = 0;
  out.writeUInt32BE(body.length, 1);
  out.set(body, 5);
  return out;
}

/** Request headers per method path; node:http2 copies them, so one object serves every call. */
function headersFor(path: string): OutgoingHttpHeaders {
  return { ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" };
}

const RANGE = headersFor("/etcdserverpb.KV/Range");
const PUT = headersFor("/etcdserverpb.KV/Put");

/**
 * One gRPC unary call on `session`: send the pre-framed request, collect DATA, read grpc-status
 * from the trailers (or from the headers of a trailers-only response), return the message bytes.
 */
function unary(session: ClientHttp2Session, headers: OutgoingHttpHeaders, request: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let message: string | undefined;
    const readStatus = (h: IncomingHttpHeaders): void => {
      const s = h["grpc-status"];
      if (s !== undefined) {
        status = String(s);
        message = h["grpc-message"] === undefined ? undefined : String(h["grpc-message"]);
      }
    };
    stream.on("response", readStatus);
    stream.on("trailers", readStatus);
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", reject);
    // A stream closed before 'end' (e.g. its session failed to connect) must not leave the call pending.
    stream.on("close", () => reject(new Error(`stream closed before the response ended (rst code ${stream.rstCode})`)));
    stream.on("end", () => {
      if (status !== "0") {
        reject(new Error(`grpc-status ${status ?? "missing"}${message === undefined ? "" : `: ${message}`}`));
        return;
      }
      const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (data.length < 5) {
        reject(new Error("response without a message"));
        return;
      }
      resolve(data.subarray(5, 5 + data.readUInt32BE(1)));
    });
    stream.end(request);
  });
}

/**
 * The floor: a minimal hand-written gRPC unary client on one node:http2 session. Requests are
 * encoded and framed once per key (before the measured loop reaches them); each call only opens a
 * stream, sends the cached bytes, reads DATA and trailers, checks grpc-status and decodes the
 * response with fromBinary — the least work a JS client can do per call.
 */
export const bareHttp2Client: ClientFactory = {
  name: "bare-http2",
  description: "floor: hand-written node:http2 gRPC unary calls on one session, requests pre-encoded, responses decoded with fromBinary",
  unavailable: () => Promise.resolve(undefined),
  async create(url: string): Promise<BenchClient> {
    const session = connect(url);
    // Connect first, so a dead endpoint fails here instead of leaving queued streams pending.
    await new Promise<void>((resolve, reject) => {
      session.once("connect", () => resolve());
      session.once("error", reject);
    });
    session.on("error", () => {
      // Surfaced through the failing streams; an unhandled 'error' would crash the worker.
    });
    // Encoded once per key object; the workload passes the same Buffers on every call.
    const puts = new Map<Uint8Array, { value: Uint8Array; request: Buffer }>();
    const ranges = new Map<Uint8Array, Buffer>();
    return {
      async put(key, value) {
        let cached = puts.get(key);
        if (cached === undefined || cached.value !== value) {
          cached = { value, request: frame(PutRequestSchema, create(PutRequestSchema, { key, value })) };
          puts.set(key, cached);
        }
        return fromBinary(PutResponseSchema, await unary(session, PUT, cached.request));
      },
      async get(key) {
        let request = ranges.get(key);
        if (request === undefined) {
          request = frame(RangeRequestSchema, create(RangeRequestSchema, { key }));
          ranges.set(key, request);
        }
        return fromBinary(RangeResponseSchema, await unary(session, RANGE, request)).kvs[0]?.value;
      },
      close() {
        return new Promise<void>((resolve) => session.close(() => resolve()));
      },
    };
  },
};
