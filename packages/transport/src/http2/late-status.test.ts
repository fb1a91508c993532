import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createClient } from "@connectrpc/connect";
import { KV, Watch } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { EtcdError } from "../errors/etcd-error.js";
import { bytes } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";

/** How far the SDK's monotonic clock is ahead of performance.now(): a busy event loop, made exact. */
const clock = vi.hoisted(() => ({ aheadMs: 0 }));
/** etcd's answer the server sends: its "request timed out", unless a test sets another. */
const TIMED_OUT = { status: "14", message: "etcdserver: request timed out" };
vi.mock("../clock.js", () => ({ monotonicNow: () => performance.now() + clock.aheadMs }));

/**
 * etcd got the call's deadline as grpc-timeout, so when it expires etcd answers too, with its own
 * status ("etcdserver: request timed out"). On a busy event loop that answer can be read before
 * the call's deadline timer runs. A plain node:http2 server stands in for etcd here, answering every
 * call with that status after moving the SDK's clock past the deadline, which is what a late timer
 * amounts to; the race itself is what the half-sent-request test meets against a real etcd.
 */
describe("an error status that arrives once the call's deadline has passed", () => {
  let server: http2.Http2Server;
  let url: string;
  let answer = TIMED_OUT;

  beforeAll(async () => {
    server = http2.createServer();
    server.on("stream", (stream) => {
      stream.on("error", () => {});
      stream.on("data", () => {});
      clock.aheadMs = 60_000;
      stream.respond(
        { ":status": 200, "content-type": "application/grpc", "grpc-status": answer.status, "grpc-message": answer.message },
        { endStream: true },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    clock.aheadMs = 0;
    answer = TIMED_OUT;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** A put's error; `timeoutMs` as Connect takes it (Infinity: no deadline at all). */
  async function putError(timeoutMs: number): Promise<EtcdError> {
    await using transport = createTransport({ endpoints: [url] });
    const put = createClient(KV, transport).put({ key: bytes("k"), value: bytes("v") }, { timeoutMs });
    return (await put.then(() => expect.fail("the put succeeded"), (error: unknown) => error)) as EtcdError;
  }

  it("a unary call reports its deadline, with etcd's answer as the cause, and that the write may have been applied", async () => {
    const error = await putError(10_000);
    expect(error.reason).toBe("deadline-exceeded");
    expect((error.cause as EtcdError).reason).toBe("timeout");
    expect(error.outcomeUnknown).toBe(true);
  });

  it("a write etcd refused for certain is still known not to be applied when the refusal comes late", async () => {
    answer = { status: "5", message: "etcdserver: requested lease not found" };
    const error = await putError(10_000);
    expect(error.reason).toBe("deadline-exceeded");
    expect((error.cause as EtcdError).reason).toBe("lease-not-found");
    expect(error.outcomeUnknown).toBe(false);
  });

  it("a unary call without a deadline reports etcd's status as it is", async () => {
    const error = await putError(Infinity);
    expect(error.reason).toBe("timeout");
  });

  it("a stream reports its deadline", async () => {
    await using transport = createTransport({ endpoints: [url] });
    const requests = (async function* () {
      yield { requestUnion: { case: "createRequest" as const, value: { key: bytes("k") } } };
    })();
    const watching = (async () => {
      for await (const _ of createClient(Watch, transport).watch(requests, { timeoutMs: 10_000 })) {
        // no message comes
      }
    })();
    const error = (await watching.then(() => expect.fail("the watch ended with OK"), (e: unknown) => e)) as EtcdError;
    expect(error.reason).toBe("deadline-exceeded");
    expect((error.cause as EtcdError).reason).toBe("timeout");
  });
});
