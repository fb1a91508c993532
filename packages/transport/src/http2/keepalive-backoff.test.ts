import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createClient } from "@connectrpc/connect";
import { Watch } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { afterEach, describe, expect, it } from "vitest";
import { createTransport } from "../transport/create-transport.js";
import { backedOffKeepAliveMs, MAX_BACKED_OFF_KEEPALIVE_MS } from "./live-session.js";
import { MAX_TIMER_MS } from "../call-options.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An HTTP/2 peer that answers every stream with gRPC response headers and keeps it open. On its
 * first connection it then sends GOAWAY ENHANCE_YOUR_CALM "too_many_pings", as grpc-go does when
 * a client PINGs too often. Counts the PINGs of each later connection.
 */
async function startPingPolicingPeer() {
  const server = http2.createServer();
  const pings: number[] = [];
  let sessions = 0;
  server.on("session", (session) => {
    const index = sessions++;
    session.on("error", () => {});
    if (index > 0) {
      pings[index] = 0;
      session.on("ping", () => pings[index]!++);
    }
    session.on("stream", (stream) => {
      stream.on("error", () => {});
      stream.respond({ ":status": 200, "content-type": "application/grpc" });
      if (index === 0) {
        session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, Buffer.from("too_many_pings"));
        setTimeout(() => session.destroy(), 20);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    pings,
    get sessions() {
      return sessions;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

/** A watch request stream that sends one create request and then stays open. */
function openWatch(transport: ReturnType<typeof createTransport>, signal: AbortSignal) {
  const requests = (async function* () {
    yield { requestUnion: { case: "createRequest" as const, value: { key: new Uint8Array([1]) } } };
    await new Promise(() => {});
  })();
  const iterate = (async () => {
    for await (const _ of createClient(Watch, transport).watch(requests, { signal })) {
      // the peer sends no messages
    }
  })();
  return iterate.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe("keepalive interval after GOAWAY too_many_pings", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("is doubled but stays within what a timer can hold: a long interval never turns into a PING storm", async () => {
    const peer = await startPingPolicingPeer();
    cleanups.push(peer.close);
    const controller = new AbortController();
    const transport = createTransport({ endpoints: [peer.url], keepAliveIntervalMs: 2 ** 30 });
    cleanups.push(async () => {
      controller.abort();
      await transport.close();
    });

    // The first connection is closed with too_many_pings: the stream on it fails.
    const first = await openWatch(transport, controller.signal);
    expect(first).toBeDefined();
    expect(peer.sessions).toBe(1);

    // A stream on the next connection, open for a second with no traffic.
    const second = openWatch(transport, controller.signal);
    for (let waited = 0; peer.sessions < 2 && waited < 10_000; waited += 10) await sleep(10);
    expect(peer.sessions).toBe(2);
    await sleep(1000);
    expect(peer.pings[1]).toBe(0);
    controller.abort();
    await second;
  });

  it("doubles up to a cap, never below the configured interval", () => {
    expect(backedOffKeepAliveMs(10_000, 10_000)).toBe(20_000);
    let interval = 10_000;
    for (let i = 0; i < 64; i++) interval = backedOffKeepAliveMs(interval, 10_000);
    expect(interval).toBe(MAX_BACKED_OFF_KEEPALIVE_MS);
    expect(backedOffKeepAliveMs(2 ** 30, 2 ** 30)).toBe(2 ** 30);
    expect(backedOffKeepAliveMs(2 ** 31, 2 ** 31)).toBe(MAX_TIMER_MS);
  });
});
