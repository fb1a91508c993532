import { KV, Watch } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, thrownBy, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, sleep } from "../test-support.test-helpers.js";
import { createTransport, type EtcdTransport } from "./create-transport.js";

/** Misusing a stream response (Transport.stream()'s `message`) fails with a typed error. */
describe("a stream response used wrongly", () => {
  let cluster: EtcdCluster;
  let transport: EtcdTransport;

  beforeAll(async () => {
    cluster = await startEtcd();
    transport = createTransport({ endpoints: cluster.endpoints });
  });
  afterAll(async () => {
    await transport?.close();
    await cluster?.stop();
  });

  async function openWatch(): Promise<AsyncIterable<unknown>> {
    const requests = (async function* () {
      yield { requestUnion: { case: "createRequest" as const, value: { key: bytes("misuse/k") } } };
      await sleep(60_000);
    })();
    const response = await transport.stream(Watch.method.watch, AbortSignal.timeout(10_000), undefined, undefined, requests);
    return response.message;
  }

  it("iterating it a second time is invalid-argument", async () => {
    const messages = await openWatch();
    const first = messages[Symbol.asyncIterator]();
    const error = thrownBy(() => messages[Symbol.asyncIterator]());
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect((error as Error).message).toMatch(/iterated once/);
    await first.return?.();
  });

  it("calling next() before the previous next() settled is invalid-argument", async () => {
    const messages = await openWatch();
    const iterator = messages[Symbol.asyncIterator]();
    const created = await iterator.next(); // the watch's "created" response
    expect(created.done).toBe(false);
    const pending = iterator.next(); // no event yet: stays pending
    const error = await iterator.next().catch((e: unknown) => e);
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect((error as Error).message).toMatch(/previous next\(\)/);
    // The pending next() still gets the next event.
    await put("misuse/k", "v");
    expect((await pending).done).toBe(false);
    await iterator.return?.();
  });

  async function put(key: string, value: string): Promise<void> {
    await transport.unary(KV.method.put, undefined, 5_000, undefined, { key: bytes(key), value: bytes(value) });
  }
});
