/**
 * A tiny HTTP/2 server standing in for an L7 hop (a gRPC-aware proxy or load balancer) in front of
 * a real etcd member. It forwards gRPC calls to etcd, or fails them the way a broken hop does: an
 * HTTP error status, a grpc-status without an etcd message, a GOAWAY. It is not a mock of etcd:
 * every answer that comes from etcd is etcd's own; the hop only adds its own failures.
 *
 * @example
 * ```ts
 * await using hop = await createGrpcHop(cluster.members[0]!.clientUrl);
 * hop.setMode({ kind: "grpc-status", status: 14, forward: true }); // etcd applies it, the hop answers 14
 * ```
 */
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";

/**
 * What the hop does with the calls it receives.
 *
 * - "forward": passes the call to etcd and etcd's answer back.
 * - "grpc-status": answers with that grpc-status and no etcd message (as an L7 hop whose upstream
 *   failed); with `forward`, only after etcd answered the forwarded call (which it may have applied).
 *   With `times`, only that many calls; then the hop forwards again.
 * - "http-status": answers with that HTTP status and no grpc-status (a proxy's 502/503/504), with
 *   `forward` and `times` as above.
 * - "goaway": waits until `streams` calls arrived on one connection, forwards the first to etcd,
 *   then sends GOAWAY with `code` and the first call's stream id as last-stream-id, and closes the
 *   connection: the calls above it were never processed. Later connections are forwarded.
 */
export type HopMode =
  | { readonly kind: "forward" }
  | { readonly kind: "grpc-status"; readonly status: number; readonly forward?: boolean; readonly times?: number }
  | { readonly kind: "http-status"; readonly status: number; readonly forward?: boolean; readonly times?: number }
  | { readonly kind: "goaway"; readonly code: number; readonly streams: number };

/**
 * A running hop.
 *
 * @example
 * ```ts
 * const hop: GrpcHop = await createGrpcHop(url);
 * hop.received; // ["/etcdserverpb.KV/Put", ...]
 * ```
 */
export interface GrpcHop extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`, for `createTransport({ endpoints: [hop.url] })`. */
  readonly url: string;
  /** The `:path` of every call received, in order (a resent call shows up twice). */
  readonly received: string[];
  /** Calls forwarded to etcd. */
  readonly forwarded: number;
  setMode(mode: HopMode): void;
  close(): Promise<void>;
}

interface Call {
  readonly stream: http2.ServerHttp2Stream;
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: Promise<Buffer>;
}

const FORWARDED_HEADERS = ["content-type", "te", "grpc-timeout", "token", "hasleader"];

/**
 * Starts a hop on 127.0.0.1 in front of the etcd client URL `target`.
 *
 * @example
 * ```ts
 * await using hop = await createGrpcHop(cluster.members[0]!.clientUrl);
 * ```
 */
export async function createGrpcHop(target: string): Promise<GrpcHop> {
  let mode: HopMode = { kind: "forward" };
  const received: string[] = [];
  let forwarded = 0;
  let failures = 0;
  const upstream = http2.connect(target);
  upstream.on("error", () => {});
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer();
  const held = new Map<http2.Http2Session, Call[]>();

  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
  });

  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    received.push(String(headers[":path"]));
    const call: Call = { stream, headers, body: readBody(stream) };
    const current = mode;
    if (current.kind === "forward") return void forward(call).then((answer) => relay(call, answer), () => stream.close());
    if (current.kind === "grpc-status" || current.kind === "http-status") {
      failures++;
      if (current.times !== undefined && failures >= current.times) mode = { kind: "forward" };
      const answered = current.forward === true ? forward(call).then(() => undefined) : call.body.then(() => undefined);
      void answered.then(
        () => {
          if (stream.closed) return;
          if (current.kind === "http-status") {
            stream.respond({ ":status": current.status, "content-type": "text/plain" });
            stream.end("upstream failed");
          } else {
            stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": String(current.status) }, { endStream: true });
          }
        },
        () => stream.close(),
      );
      return;
    }
    const session = stream.session as http2.ServerHttp2Session;
    const calls = held.get(session) ?? [];
    held.set(session, calls);
    calls.push(call);
    if (calls.length < current.streams) return;
    held.delete(session);
    mode = { kind: "forward" };
    const first = calls.reduce((a, b) => (a.stream.id! < b.stream.id! ? a : b));
    void forward(first).then(
      () => {
        session.goaway(current.code, first.stream.id!);
        setTimeout(() => session.destroy(), 50);
      },
      () => session.destroy(),
    );
  });

  function forward(call: Call): Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders }> {
    return call.body.then(
      (body) =>
        new Promise((resolve, reject) => {
          forwarded++;
          const outgoing: http2.OutgoingHttpHeaders = { ":method": "POST", ":path": call.headers[":path"] };
          for (const name of FORWARDED_HEADERS) if (call.headers[name] !== undefined) outgoing[name] = call.headers[name];
          const request = upstream.request(outgoing);
          const chunks: Buffer[] = [];
          let headers: http2.IncomingHttpHeaders = {};
          let trailers: http2.IncomingHttpHeaders = {};
          request.on("response", (h) => (headers = h));
          request.on("trailers", (t) => (trailers = t));
          request.on("data", (chunk: Buffer) => chunks.push(chunk));
          request.on("error", reject);
          request.on("close", () => resolve({ headers, body: Buffer.concat(chunks), trailers }));
          request.end(body);
        }),
    );
  }

  function relay(call: Call, answer: { headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders }): void {
    const { stream } = call;
    if (stream.closed) return;
    const headers: http2.OutgoingHttpHeaders = { ":status": Number(answer.headers[":status"] ?? 200) };
    for (const [name, value] of Object.entries(answer.headers)) if (!name.startsWith(":") && value !== undefined) headers[name] = value;
    const trailers: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(answer.trailers)) if (!name.startsWith(":") && value !== undefined) trailers[name] = value;
    if (Object.keys(trailers).length === 0) {
      stream.respond(headers, { endStream: answer.body.length === 0 });
      if (answer.body.length > 0) stream.end(answer.body);
      return;
    }
    stream.respond(headers, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers(trailers));
    stream.end(answer.body);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const hop: GrpcHop = {
    url: `http://127.0.0.1:${port}`,
    received,
    get forwarded() {
      return forwarded;
    },
    setMode(next) {
      mode = next;
      failures = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        upstream.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return hop.close();
    },
  };
  return hop;
}

function readBody(stream: http2.ServerHttp2Stream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
    stream.on("close", () => resolve(Buffer.concat(chunks)));
  });
}
