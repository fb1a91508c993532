import { describe, expect, it } from "vitest";
import { createCleartextTrap } from "../cleartext-trap.test-helpers.js";
import { parseEndpoint } from "../endpoints/parse-endpoint.js";
import { sleep } from "../test-support.test-helpers.js";
import { EndpointConnection, type ConnectionSettings } from "./endpoint-connection.js";

describe("a connection of a TLS transport", () => {
  it("is never made to an http:// URL: it fails at once, for good, without opening a socket", async () => {
    await using trap = await createCleartextTrap("unused");
    const settings: ConnectionSettings = {
      secure: true,
      tls: undefined,
      dialTimeoutMs: 1000,
      keepAlive: { intervalMs: 0, timeoutMs: 1000 },
      counters: { streams: 0, connections: 0 },
    };
    let changes = 0;
    const conn = new EndpointConnection(parseEndpoint(trap.url), settings, () => changes++);
    conn.connect();
    expect(conn.state).toBe("idle");
    expect(conn.lastErrorPermanent).toBe(true);
    expect(conn.lastError?.reason).toBe("unavailable");
    expect(conn.lastError?.message).toMatch(/without TLS/);
    expect(changes).toBe(1);
    await sleep(200);
    expect(trap.connections).toBe(0);
    expect(settings.counters.connections).toBe(0);
    conn.close();
  });
});
