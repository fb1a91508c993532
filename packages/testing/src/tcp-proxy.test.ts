import { connect, createServer, type Server, type Socket } from "node:net";
import { once } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freePort } from "./free-port.js";
import { createTcpProxy, type TcpProxy } from "./tcp-proxy.js";

/** Echo server: writes back whatever it reads, half-closes when the client does. */
async function startEcho(): Promise<{ server: Server; port: number; accepted: () => number }> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    accepted++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    s.pipe(s);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof server.close;
  return { server, port: (server.address() as { port: number }).port, accepted: () => accepted };
}

/** Resolves on `event` without rejecting on "error" (unlike events.once). */
function next(socket: Socket, event: "close" | "end"): Promise<void> {
  return new Promise((resolve) => socket.once(event, () => resolve()));
}

async function dial(port: number): Promise<{ socket: Socket; received: () => Buffer; errors: Error[] }> {
  const socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  const errors: Error[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", (e) => errors.push(e));
  await once(socket, "connect");
  return { socket, received: () => Buffer.concat(chunks), errors };
}

describe("createTcpProxy (against an echo server)", () => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let proxy: TcpProxy;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    echo = await startEcho();
    proxy = await createTcpProxy({ host: "127.0.0.1", port: echo.port });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await proxy.close();
    await new Promise((r) => echo.server.close(r));
  });

  const open = async () => {
    const c = await dial(proxy.port);
    sockets.push(c.socket);
    return c;
  };

  it("passes bytes both ways and counts them", async () => {
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(proxy.mode).toBe("pass");
    const c = await open();
    c.socket.write("hello ");
    c.socket.write("world");
    await vi.waitFor(() => expect(c.received().toString()).toBe("hello world"));
    expect(proxy.stats).toMatchObject({ connections: 1, activeConnections: 1, bytesUp: 11, bytesDown: 11, http2Streams: 0 });
    c.socket.end();
    await next(c.socket, "end");
    await vi.waitFor(() => expect(proxy.stats.activeConnections).toBe(0));
    proxy.resetStats();
    expect(proxy.stats).toEqual({ connections: 0, activeConnections: 0, bytesUp: 0, bytesDown: 0, http2Streams: 0 });
  });

  it("passes a half-close on after the data", async () => {
    const c = await open();
    proxy.setMode("delay", { delayMs: 50 });
    c.socket.end("bye");
    await next(c.socket, "end");
    expect(c.received().toString()).toBe("bye");
  });

  it("delay: forwards every chunk after delayMs each way, in order", async () => {
    const c = await open();
    proxy.setMode("delay", { delayMs: 150 });
    expect(proxy.delayMs).toBe(150);
    const started = Date.now();
    let firstByteAt = 0;
    c.socket.once("data", () => (firstByteAt = Date.now()));
    const parts = ["a", "b", "c", "d", "e"];
    for (const p of parts) {
      c.socket.write(p);
      await new Promise((r) => setTimeout(r, 10));
    }
    await vi.waitFor(() => expect(c.received().toString()).toBe("abcde"), { timeout: 3_000 });
    expect(firstByteAt - started).toBeGreaterThanOrEqual(2 * 150 - 5);
  });

  it("blackhole: holds traffic on open connections and delivers it when passing again", async () => {
    const c = await open();
    c.socket.write("before");
    await vi.waitFor(() => expect(c.received().toString()).toBe("before"));
    proxy.setMode("blackhole");
    c.socket.write("during");
    await new Promise((r) => setTimeout(r, 300));
    expect(c.received().toString()).toBe("before");
    expect(c.socket.destroyed).toBe(false);
    expect(proxy.stats.activeConnections).toBe(1);
    proxy.setMode("pass");
    await vi.waitFor(() => expect(c.received().toString()).toBe("beforeduring"));
  });

  it("blackhole: accepts new connections but does not reach the target until passing again", async () => {
    proxy.setMode("blackhole");
    const c = await open();
    c.socket.write("ping");
    await new Promise((r) => setTimeout(r, 300));
    expect(echo.accepted()).toBe(0);
    expect(c.received().length).toBe(0);
    expect(proxy.stats).toMatchObject({ connections: 1, activeConnections: 1 });
    proxy.setMode("pass");
    await vi.waitFor(() => expect(c.received().toString()).toBe("ping"));
    expect(echo.accepted()).toBe(1);
  });

  it("drop-responses: forwards requests to the target but holds its answers until passing again", async () => {
    const c = await open();
    proxy.setMode("drop-responses");
    c.socket.write("ping");
    await vi.waitFor(() => expect(proxy.stats.bytesUp).toBe(4)); // the target got the request
    await new Promise((r) => setTimeout(r, 300));
    expect(c.received().length).toBe(0);
    expect(proxy.stats.bytesDown).toBe(0);
    expect(c.socket.destroyed).toBe(false);
    const fresh = await open(); // new connections reach the target too
    fresh.socket.write("pong");
    await vi.waitFor(() => expect(echo.accepted()).toBe(2));
    await vi.waitFor(() => expect(proxy.stats.bytesUp).toBe(8));
    proxy.setMode("pass");
    await vi.waitFor(() => expect(c.received().toString()).toBe("ping"));
    await vi.waitFor(() => expect(fresh.received().toString()).toBe("pong"));
  });

  it("setSenderMode: connections whose first request carries X-Server-From get their sender's mode", async () => {
    const peers = await createTcpProxy({ host: "127.0.0.1", port: echo.port }, { identifySenders: true });
    const dialPeers = async () => {
      const c = await dial(peers.port);
      sockets.push(c.socket);
      return c;
    };
    try {
      const fromA = await dialPeers();
      const fromB = await dialPeers();
      const request = (id: string) => `GET /raft/stream/message/${id} HTTP/1.1\r\nHost: x\r\nX-Server-From: ${id}\r\n\r\n`;
      fromA.socket.write(request("8e9e05c52164694d"));
      fromB.socket.write(request("91bc3c398fb3c146"));
      await vi.waitFor(() => expect(fromA.received().length).toBeGreaterThan(0));
      await vi.waitFor(() => expect(fromB.received().length).toBeGreaterThan(0));
      peers.setSenderMode("8E9E05C52164694D", "blackhole");
      const [a0, b0] = [fromA.received().length, fromB.received().length];
      fromA.socket.write("more");
      fromB.socket.write("more");
      await vi.waitFor(() => expect(fromB.received().length).toBe(b0 + 4));
      await new Promise((r) => setTimeout(r, 200));
      expect(fromA.received().length).toBe(a0);
      const later = await dialPeers(); // a new connection of the same sender is held as well
      later.socket.write(request("8e9e05c52164694d"));
      await new Promise((r) => setTimeout(r, 200));
      expect(later.received().length).toBe(0);
      peers.setSenderMode("8e9e05c52164694d", undefined);
      await vi.waitFor(() => expect(fromA.received().length).toBe(a0 + 4));
      await vi.waitFor(() => expect(later.received().toString()).toContain("X-Server-From: 8e9e05c52164694d"));
    } finally {
      await peers.close();
    }
  });

  it("reset: resets open connections and new ones at once", async () => {
    const c = await open();
    c.socket.write("x");
    await vi.waitFor(() => expect(c.received().toString()).toBe("x"));
    proxy.setMode("reset");
    await next(c.socket, "close");
    expect(c.errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(["ECONNRESET"]);

    const started = Date.now();
    const fresh = connect({ host: "127.0.0.1", port: proxy.port });
    sockets.push(fresh);
    const [err] = (await once(fresh, "error")) as [NodeJS.ErrnoException];
    expect(err.code).toBe("ECONNRESET");
    expect(Date.now() - started).toBeLessThan(1_000);
    await vi.waitFor(() => expect(proxy.stats.activeConnections).toBe(0));
  });

  it("passes the target's FIN on when the target goes away", async () => {
    const c = await open();
    c.socket.write("x");
    await vi.waitFor(() => expect(c.received().toString()).toBe("x"));
    const ended = next(c.socket, "end");
    await new Promise((r) => echo.server.close(r));
    await ended;
  });

  it("listens on the requested port; close() is idempotent and ends connections", async () => {
    const port = await freePort();
    const other = await createTcpProxy({ host: "127.0.0.1", port: echo.port }, { listenPort: port, scheme: "https" });
    expect(other.port).toBe(port);
    expect(other.url).toBe(`https://127.0.0.1:${port}`);
    const c = await dial(port);
    await Promise.all([next(c.socket, "end"), other.close()]);
    await other.close();
    await other[Symbol.asyncDispose]();
    await expect(dial(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
