import { connect, createServer, type Socket } from "node:net";
import { createHttp2StreamCounter } from "./http2-stream-counter.js";
import { createProxyPipe, type PipeMode, type ProxyPipe } from "./proxy-pipe.js";

/**
 * What a TcpProxy does with traffic:
 * - "pass": forward both ways.
 * - "blackhole": keep sockets open but forward nothing either way, for existing and new
 *   connections (a zombie peer); held bytes are delivered if the mode goes back to pass/delay.
 * - "delay": forward every chunk `delayMs` after it arrived.
 * - "reset": send RST on existing connections and reset new ones at once.
 * - "drop-responses": forward client → target, but hold target → client (as "blackhole" does,
 *   one way): requests reach etcd and are applied, their answers never arrive. Held answers are
 *   delivered if the mode goes back to pass/delay.
 * Only data is delayed or held; new TCP connections are accepted at once in every mode but reset.
 *
 * @example
 * ```ts
 * const mode: ProxyMode = "blackhole";
 * proxy.setMode(mode);
 * ```
 */
export type ProxyMode = "pass" | "blackhole" | "delay" | "reset" | "drop-responses";

/**
 * Traffic counters of a TcpProxy. Bytes and streams are counted when forwarded, so traffic held
 * by "blackhole" or "delay" shows up once it is delivered.
 *
 * @example
 * ```ts
 * proxy.resetStats();
 * await client.range({ key });
 * expect(proxy.stats.http2Streams).toBe(1);
 * ```
 */
export interface TcpProxyStats {
  /** Connections accepted since creation / the last resetStats(). */
  connections: number;
  /** Client connections currently open (not affected by resetStats()). */
  activeConnections: number;
  /** Bytes forwarded client -> target. */
  bytesUp: number;
  /** Bytes forwarded target -> client. */
  bytesDown: number;
  /** HTTP/2 streams opened client -> target (gRPC calls started); cleartext HTTP/2 only. */
  http2Streams: number;
}

/**
 * A fault-injecting TCP proxy on 127.0.0.1 in front of one target.
 *
 * @example
 * ```ts
 * const proxy: TcpProxy = cluster.members[0]!.proxy!;
 * proxy.setMode("reset");
 * ```
 */
export interface TcpProxy extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` (or `https://` when created with scheme "https"). */
  readonly url: string;
  readonly port: number;
  readonly mode: ProxyMode;
  /** Delay used by "delay" mode, in milliseconds. */
  readonly delayMs: number;
  /** Switches mode; affects existing and new connections. `delayMs` defaults to the previous value (initially 0). */
  setMode(mode: ProxyMode, options?: { delayMs?: number }): void;
  /**
   * With `identifySenders`: gives the connections whose first HTTP request came from `sender`
   * (its `X-Server-From` header, which etcd members send on every raft request: the sender's
   * member ID in hex) a mode of their own, existing and new ones; `undefined` returns them to the
   * proxy's mode. Connections not identified (yet) follow the proxy's mode.
   */
  setSenderMode(sender: string, mode: ProxyMode | undefined, options?: { delayMs?: number }): void;
  /** A snapshot of the counters. */
  readonly stats: Readonly<TcpProxyStats>;
  /** Zeroes the counters (except activeConnections). */
  resetStats(): void;
  /** Destroys all connections and stops listening; idempotent. */
  close(): Promise<void>;
}

/**
 * Options of createTcpProxy().
 *
 * @example
 * ```ts
 * await createTcpProxy(target, { listenPort: await freePort(), scheme: "https" });
 * ```
 */
export interface TcpProxyOptions {
  /** Port to listen on (default: one picked by the kernel). */
  listenPort?: number;
  /** Scheme used in `url` (default "http"); the proxy itself is plain TCP either way. */
  scheme?: "http" | "https";
  /**
   * Read the `X-Server-From` header of each connection's first HTTP/1.1 request, so that
   * `setSenderMode` can treat the connections of one etcd member apart (peer proxies).
   */
  identifySenders?: boolean;
}

interface Connection {
  readonly client: Socket;
  upstream: Socket | undefined;
  pipes: ProxyPipe[];
  /** The sending member (X-Server-From), once identified. */
  sender: string | undefined;
}

/** How much of a connection's first request is searched for X-Server-From. */
const MAX_SNIFFED_HEADER_BYTES = 16 * 1024;

function checkDelay(delayMs: number): number {
  if (!(delayMs >= 0)) throw new RangeError(`delayMs must be >= 0, got ${delayMs}`);
  return delayMs;
}

function resetSocket(socket: Socket | undefined): void {
  if (socket === undefined || socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/**
 * Starts a TCP proxy on 127.0.0.1 forwarding to `target`, whose mode can be switched at any
 * time to blackhole, delay or reset traffic, and which counts connections, bytes and HTTP/2
 * streams.
 *
 * @example
 * ```ts
 * await using proxy = await createTcpProxy({ host: "127.0.0.1", port: 2379 });
 * const transport = createGrpcTransport({ baseUrl: proxy.url });
 * proxy.setMode("blackhole"); // calls now hang
 * proxy.setMode("delay", { delayMs: 200 });
 * console.log(proxy.stats.http2Streams);
 * ```
 */
export async function createTcpProxy(
  target: { host: string; port: number },
  options: TcpProxyOptions = {},
): Promise<TcpProxy> {
  let mode: ProxyMode = "pass";
  let delayMs = 0;
  const senderModes = new Map<string, { mode: ProxyMode; delayMs: number }>();
  /** The mode and delay of one connection: its sender's, if it has one, else the proxy's. */
  const settingsOf = (conn: Connection): { mode: ProxyMode; delayMs: number } =>
    (conn.sender === undefined ? undefined : senderModes.get(conn.sender)) ?? { mode, delayMs };
  // What each direction does: "drop-responses" passes requests and holds answers.
  const upStateOf = (conn: Connection): PipeMode => ({
    get mode() {
      const current = settingsOf(conn).mode;
      return current === "drop-responses" ? "pass" : current;
    },
    get delayMs() {
      return settingsOf(conn).delayMs;
    },
  });
  const downStateOf = (conn: Connection): PipeMode => ({
    get mode() {
      const current = settingsOf(conn).mode;
      return current === "drop-responses" ? "blackhole" : current;
    },
    get delayMs() {
      return settingsOf(conn).delayMs;
    },
  });
  const stats: TcpProxyStats = { connections: 0, activeConnections: 0, bytesUp: 0, bytesDown: 0, http2Streams: 0 };
  const connections = new Set<Connection>();
  let closing: Promise<void> | undefined;

  const attachUpstream = (conn: Connection): void => {
    const { client } = conn;
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    conn.upstream = upstream;
    upstream.setNoDelay(true);
    const counter = createHttp2StreamCounter();
    if (options.identifySenders === true && conn.sender === undefined) sniffSender(conn);
    const upState = upStateOf(conn);
    const downState = downStateOf(conn);
    conn.pipes = [
      createProxyPipe(client, upstream, () => upState, (chunk) => {
        stats.bytesUp += chunk.length;
        stats.http2Streams += counter.push(chunk);
      }),
      createProxyPipe(upstream, client, () => downState, (chunk) => {
        stats.bytesDown += chunk.length;
      }),
    ];
    // The client socket starts paused (pauseOnConnect); the pipes pause it again when needed.
    client.resume();
    upstream.on("error", () => resetSocket(client));
    // Closed without a FIN from the target (killed, reset, destroyed): abort the client too.
    upstream.on("close", () => {
      if (!upstream.readableEnded) resetSocket(client);
    });
  };

  /**
   * Reads X-Server-From from the start of the client's bytes. Registered before the pipe's own
   * 'data' listener, so a chunk that completes the header is judged by its sender's mode.
   */
  const sniffSender = (conn: Connection): void => {
    let seen = "";
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString("latin1");
      const end = seen.indexOf("\r\n\r\n");
      const header = /\r\nX-Server-From:[ \t]*([0-9a-fA-F]+)\r\n/i.exec(end < 0 ? seen : seen.slice(0, end + 2));
      if (header !== null) conn.sender = header[1]!.toLowerCase();
      if (header !== null || end >= 0 || seen.length > MAX_SNIFFED_HEADER_BYTES) conn.client.off("data", onData);
    };
    conn.client.on("data", onData);
  };

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    stats.connections++;
    stats.activeConnections++;
    const conn: Connection = { client, upstream: undefined, pipes: [], sender: undefined };
    connections.add(conn);
    client.setNoDelay(true);
    client.on("error", () => resetSocket(conn.upstream));
    client.on("close", () => {
      stats.activeConnections--;
      connections.delete(conn);
      for (const pipe of conn.pipes) pipe.dispose();
      if (conn.upstream !== undefined && !conn.upstream.destroyed) conn.upstream.destroy();
    });
    if (closing !== undefined) {
      client.destroy();
      return;
    }
    if (mode === "reset") {
      resetSocket(client);
      return;
    }
    // In blackhole mode the client stays paused and no upstream connection is made yet.
    if (mode !== "blackhole") attachUpstream(conn);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listenPort ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("createTcpProxy: unexpected listener address");
  const port = address.port;

  /** Makes an open connection follow its current mode. */
  const applyMode = (conn: Connection): void => {
    const current = settingsOf(conn).mode;
    if (current === "reset") {
      for (const pipe of conn.pipes) pipe.dispose();
      resetSocket(conn.client);
      resetSocket(conn.upstream);
    } else if (conn.upstream === undefined) {
      if (current !== "blackhole") attachUpstream(conn);
    } else {
      for (const pipe of conn.pipes) pipe.modeChanged();
    }
  };

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const conn of connections) {
        conn.client.destroy();
        conn.upstream?.destroy();
      }
    });
    return closing;
  };

  return {
    url: `${options.scheme ?? "http"}://127.0.0.1:${port}`,
    port,
    get mode() {
      return mode;
    },
    get delayMs() {
      return delayMs;
    },
    get stats() {
      return { ...stats };
    },
    setMode(next, opts) {
      if (opts?.delayMs !== undefined) delayMs = checkDelay(opts.delayMs);
      mode = next;
      for (const conn of [...connections]) applyMode(conn);
    },
    setSenderMode(sender, next, opts) {
      const key = sender.toLowerCase();
      if (next === undefined) senderModes.delete(key);
      else senderModes.set(key, { mode: next, delayMs: opts?.delayMs === undefined ? delayMs : checkDelay(opts.delayMs) });
      for (const conn of [...connections]) if (conn.sender === key) applyMode(conn);
    },
    resetStats() {
      stats.connections = 0;
      stats.bytesUp = 0;
      stats.bytesDown = 0;
      stats.http2Streams = 0;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
