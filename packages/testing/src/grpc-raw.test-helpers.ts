import * as http2 from "node:http2";

/** Result of a raw unary gRPC call. */
export interface RawGrpcResult {
  /** grpc-status from trailers (or trailers-only headers). */
  readonly grpcStatus: string | undefined;
  /** Response body bytes (length-prefixed messages). */
  readonly bytes: number;
}

/**
 * Opens an HTTP/2 session (prior knowledge, cleartext) and waits until it is connected.
 * Errors on the session are swallowed; callers watch "close".
 *
 * @example
 * ```ts
 * const session = await connectH2(proxy.url);
 * ```
 */
export function connectH2(url: string, timeoutMs = 2_000): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", () => {});
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`h2 connect to ${url} timed out`));
    }, timeoutMs);
    session.once("connect", () => {
      clearTimeout(timer);
      resolve(session);
    });
    session.once("close", () => {
      clearTimeout(timer);
      reject(new Error(`h2 session to ${url} closed before connecting`));
    });
  });
}

/**
 * Makes one unary gRPC call with an empty request message over `session`
 * (default: etcd's Maintenance/Status) and rejects after `timeoutMs`.
 *
 * @example
 * ```ts
 * const { grpcStatus } = await grpcUnary(session); // "0"
 * ```
 */
export function grpcUnary(
  session: http2.ClientHttp2Session,
  path = "/etcdserverpb.Maintenance/Status",
  timeoutMs = 2_000,
): Promise<RawGrpcResult> {
  return new Promise((resolve, reject) => {
    let grpcStatus: string | undefined;
    let bytes = 0;
    const req = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    const timer = setTimeout(() => {
      req.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error(`grpc call ${path} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const status = (h: http2.IncomingHttpHeaders): void => {
      const s = h["grpc-status"];
      if (typeof s === "string") grpcStatus = s;
    };
    req.on("response", status);
    req.on("trailers", status);
    req.on("data", (c: Buffer) => (bytes += c.length));
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on("close", () => {
      clearTimeout(timer);
      if (req.rstCode !== undefined && req.rstCode !== http2.constants.NGHTTP2_NO_ERROR) {
        reject(new Error(`stream closed with code ${req.rstCode}`));
      } else {
        resolve({ grpcStatus, bytes });
      }
    });
    req.end(Buffer.alloc(5));
  });
}

/**
 * Resolves when `session` closes, rejects after `timeoutMs`.
 *
 * @example
 * ```ts
 * await sessionClosed(session, 1_000);
 * ```
 */
export function sessionClosed(session: http2.ClientHttp2Session, timeoutMs: number): Promise<void> {
  if (session.closed || session.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`session still open after ${timeoutMs} ms`)), timeoutMs);
    session.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
