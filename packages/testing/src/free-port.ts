import { createServer } from "node:net";

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it;
 * the listener is closed before returning, so another process may still grab it).
 *
 * @example
 * ```ts
 * const port = await freePort();
 * server.listen(port, "127.0.0.1");
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("freePort: unexpected listener address"));
        return;
      }
      server.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
}

/**
 * Returns `count` distinct free ports on 127.0.0.1.
 *
 * @example
 * ```ts
 * const [clientPort, peerPort] = await freePorts(2);
 * ```
 */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
