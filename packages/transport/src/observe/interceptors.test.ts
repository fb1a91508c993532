/**
 * Connect interceptors on etcdkit's transports, against real etcd: what they see, what they can
 * change (a header etcd acts on), the order they run in, unary calls and streams, the transport's
 * own calls, and what the transport reports into a call's context values.
 */
import { createClient, createContextValues, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import { Auth, KV, Watch, type WatchResponse } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monotonicNow } from "../clock.js";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { createGatewayTransport } from "../gateway/create-gateway-transport.js";
import { createGrpcHop } from "../grpc-hop.test-helpers.js";
import { bytes, text } from "../test-support.test-helpers.js";
import { createTransport } from "../transport/create-transport.js";
import { callReport, type CallReport } from "./call-report.js";

const PASSWORD = "intercept-Pa55word";

/** An interceptor that sets `name: value` on every request. */
const setHeader =
  (name: string, value: () => string): Interceptor =>
  (next) =>
  (req) => {
    req.header.set(name, value());
    return next(req);
  };

/** A watch request stream that creates one watch and stays open until `stop` is aborted. */
async function* watchRequests(key: string, stop: AbortSignal): AsyncGenerator<{ requestUnion: { case: "createRequest"; value: { key: Uint8Array } } }> {
  yield { requestUnion: { case: "createRequest", value: { key: bytes(key) } } };
  await new Promise<void>((resolve) => stop.addEventListener("abort", () => resolve(), { once: true }));
}

describe("interceptors on a cluster with auth: a header an interceptor adds is what etcd sees", () => {
  let cluster: EtcdCluster;
  let token: string;

  beforeAll(async () => {
    cluster = await startEtcd();
    await using setup = createTransport({ endpoints: cluster.endpoints });
    const auth = createClient(Auth, setup);
    await auth.roleAdd({ name: "root" });
    await auth.userAdd({ name: "root", password: PASSWORD });
    await auth.userGrantRole({ user: "root", role: "root" });
    await auth.authEnable({});
    token = (await auth.authenticate({ name: "root", password: PASSWORD })).token;
  });
  afterAll(() => cluster?.stop());

  it("gRPC: without credentials etcd refuses the calls; an interceptor setting `token` gets them through, unary and streams", async () => {
    await using bare = createTransport({ endpoints: cluster.endpoints });
    const refused = await createClient(KV, bare)
      .put({ key: bytes("auth/k"), value: bytes("v") })
      .catch((e: unknown) => e);
    expect(isEtcdError(refused, "user-empty"), String(refused)).toBe(true);

    await using transport = createTransport({ endpoints: cluster.endpoints, interceptors: [setHeader("token", () => token)] });
    const kv = createClient(KV, transport);
    await kv.put({ key: bytes("auth/k"), value: bytes("v") });
    const got = await kv.range({ key: bytes("auth/k") });
    expect(got.kvs.map((kv) => text(kv.value))).toEqual(["v"]);

    // The Watch stream carries the header too: etcd accepts the create and sends the event.
    const stop = new AbortController();
    const responses = createClient(Watch, transport).watch(watchRequests("auth/w", stop.signal), { signal: stop.signal });
    const seen: WatchResponse[] = [];
    for await (const response of responses) {
      seen.push(response);
      if (response.created) await kv.put({ key: bytes("auth/w"), value: bytes("x") });
      if (response.events.length > 0) break;
    }
    stop.abort();
    expect(seen[0]!.created).toBe(true);
    expect(seen[0]!.canceled).toBe(false);
    expect(seen.at(-1)!.events.map((e) => text(e.kv!.value))).toEqual(["x"]);
  });

  it("gateway: the interceptor's header goes as gateway metadata, and etcd authenticates the call with it", async () => {
    await using bare = createGatewayTransport({ endpoints: cluster.endpoints });
    const refused = await createClient(KV, bare)
      .put({ key: bytes("auth/g"), value: bytes("v") })
      .catch((e: unknown) => e);
    expect(isEtcdError(refused, "user-empty"), String(refused)).toBe(true);

    await using transport = createGatewayTransport({ endpoints: cluster.endpoints, interceptors: [setHeader("token", () => token)] });
    await createClient(KV, transport).put({ key: bytes("auth/g"), value: bytes("v") });
    const got = await createClient(KV, transport).range({ key: bytes("auth/g") });
    expect(got.kvs.map((kv) => text(kv.value))).toEqual(["v"]);
  });

  it("the transport's own Authenticate runs through the interceptors, without its password in what they see", async () => {
    const seen: Array<{ method: string; password: unknown }> = [];
    const recorder: Interceptor = (next) => (req) => {
      seen.push({ method: req.method.name, password: req.stream ? undefined : (req.message as { password?: unknown }).password });
      return next(req);
    };
    await using transport = createTransport({
      endpoints: cluster.endpoints,
      auth: { username: "root", password: PASSWORD },
      interceptors: [recorder],
    });
    await createClient(KV, transport).put({ key: bytes("auth/own"), value: bytes("v") });
    expect(seen).toEqual([
      { method: "Put", password: undefined },
      { method: "Authenticate", password: "" },
    ]);
    expect(transport.stats.authentications).toBe(1);
  });
});

describe("interceptors on one etcd member", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
  });
  afterAll(() => cluster?.stop());

  it("several interceptors run in order, the first outermost, around unary calls and streams (gRPC and gateway)", async () => {
    const log: string[] = [];
    const tracer =
      (name: string): Interceptor =>
      (next) =>
      async (req) => {
        log.push(`${name}> ${req.method.name} ${req.header.get("x-order") ?? ""}`);
        req.header.set("x-order", `${req.header.get("x-order") ?? ""}${name}`);
        const res = await next(req);
        log.push(`${name}< ${req.method.name}`);
        return res;
      };
    const interceptors = [tracer("a"), tracer("b"), tracer("c")];
    for (const transport of [
      createTransport({ endpoints: cluster.endpoints, interceptors }),
      createGatewayTransport({ endpoints: cluster.endpoints, interceptors }),
    ]) {
      log.length = 0;
      await createClient(KV, transport).put({ key: bytes("order/k"), value: bytes("v") });
      expect(log).toEqual(["a> Put ", "b> Put a", "c> Put ab", "c< Put", "b< Put", "a< Put"]);

      log.length = 0;
      const stop = new AbortController();
      for await (const response of createClient(Watch, transport).watch(watchRequests("order/w", stop.signal), { signal: stop.signal })) {
        if (response.created) break;
      }
      stop.abort();
      expect(log).toEqual(["a> Watch ", "b> Watch a", "c> Watch ab", "c< Watch", "b< Watch", "a< Watch"]);
      await transport.close();
    }
  });

  it("an interceptor sees each call's final error (typed reason, outcomeUnknown), the same the caller gets", async () => {
    const observed: EtcdError[] = [];
    const observer: Interceptor = (next) => async (req) => {
      try {
        return await next(req);
      } catch (err) {
        observed.push(err as EtcdError);
        throw err;
      }
    };
    const member = cluster.members[0]!;
    await using transport = createTransport({ endpoints: [member.proxy!.url], interceptors: [observer] });
    const kv = createClient(KV, transport);

    // etcd's own typed answer: a read at a compacted revision.
    const { header } = await kv.put({ key: bytes("errors/k"), value: bytes("1") });
    await kv.put({ key: bytes("errors/k"), value: bytes("2") });
    await kv.compact({ revision: header!.revision + 1n });
    const compacted = await kv.range({ key: bytes("errors/k"), revision: header!.revision }).catch((e: unknown) => e);
    expect(isEtcdError(compacted, "compacted")).toBe(true);

    // A write whose answer never arrives: it ends at its deadline, and may have been applied.
    member.proxy!.setMode("drop-responses");
    const lost = await kv.put({ key: bytes("errors/lost"), value: bytes("v") }, { timeoutMs: 1000 }).catch((e: unknown) => e);
    member.proxy!.setMode("pass");
    expect(isEtcdError(lost, "deadline-exceeded")).toBe(true);
    expect((lost as EtcdError).outcomeUnknown).toBe(true);

    expect(observed).toEqual([compacted, lost]);
    expect(observed.map((e) => [e.reason, e.outcomeUnknown])).toEqual([
      ["compacted", false],
      ["deadline-exceeded", true],
    ]);
  });

  it("a timing interceptor: elapsed time of each call, with the endpoint and retries the transport reports", async () => {
    await using hop = await createGrpcHop(cluster.endpoints[0]!);
    const timings: Array<{ method: string; ms: number; report: CallReport }> = [];
    const requests: Array<{ readonly signal: AbortSignal }> = [];
    const timing: Interceptor = (next) => async (req) => {
      requests.push(req);
      const report = callReport(req);
      const started = monotonicNow();
      try {
        return await next(req);
      } finally {
        timings.push({ method: req.method.name, ms: monotonicNow() - started, report: { ...report } });
      }
    };
    await using transport = createTransport({ endpoints: [hop.url], interceptors: [timing] });
    const kv = createClient(KV, transport);
    await kv.put({ key: bytes("timing/k"), value: bytes("v") });

    // The hop fails the first Range with Unavailable: the transport retries it once.
    hop.setMode({ kind: "grpc-status", status: 14, times: 1 });
    const started = monotonicNow();
    const got = await kv.range({ key: bytes("timing/k") }, { timeoutMs: 10_000 });
    const callerMs = monotonicNow() - started;
    expect(got.kvs).toHaveLength(1);

    expect(timings.map((t) => t.method)).toEqual(["Put", "Range"]);
    expect(timings[0]!.report).toEqual({ endpoint: hop.url, attempts: 1, retries: 0 });
    expect(timings[1]!.report).toEqual({ endpoint: hop.url, attempts: 2, retries: 1 });
    expect(timings[1]!.ms).toBeGreaterThan(0);
    expect(timings[1]!.ms).toBeLessThanOrEqual(callerMs); // measured inside the caller's call
    // The signal an interceptor gets ends with the call (here first read once the calls were over).
    expect(requests.map((r) => r.signal.aborted)).toEqual([true, true]);
  });

  it("streams: an interceptor sees the request messages as full messages, wraps the responses, and its signal ends with the stream", async () => {
    const sentKeys: string[] = [];
    let received = 0;
    let streamSignal: AbortSignal | undefined;
    const streams: Interceptor = (next) => async (req) => {
      if (!req.stream) return next(req);
      streamSignal = req.signal;
      const requests = req.message;
      const res = (await next({
        ...req,
        message: (async function* () {
          for await (const m of requests) {
            const create = (m as unknown as { requestUnion: { case?: string; value?: { key?: Uint8Array } } }).requestUnion;
            if (create.case === "createRequest") sentKeys.push(text(create.value!.key!));
            yield m;
          }
        })(),
      })) as StreamResponse;
      return {
        ...res,
        message: (async function* () {
          for await (const m of res.message) {
            received++;
            yield m;
          }
        })(),
      };
    };
    await using transport = createTransport({ endpoints: cluster.endpoints, interceptors: [streams] });
    const kv = createClient(KV, transport);
    const stop = new AbortController();
    const events: string[] = [];
    for await (const response of createClient(Watch, transport).watch(watchRequests("streams/w", stop.signal), { signal: stop.signal })) {
      if (response.created) await kv.put({ key: bytes("streams/w"), value: bytes("1") });
      for (const e of response.events) events.push(text(e.kv!.value));
      if (events.length > 0) break;
    }
    stop.abort();
    expect(events).toEqual(["1"]);
    expect(sentKeys).toEqual(["streams/w"]);
    expect(received).toBe(2); // created, then the event
    await expect.poll(() => streamSignal!.aborted, { timeout: 10_000 }).toBe(true);
  });

  it("a member transport: req.url is the member's URL and the method path; a pool transport: the path only", async () => {
    const urls: string[] = [];
    const recorder: Interceptor = (next) => (req) => {
      urls.push(req.url);
      return next(req);
    };
    await using transport = createTransport({ endpoints: cluster.endpoints, interceptors: [recorder] });
    await createClient(KV, transport).range({ key: bytes("url/k") });
    await createClient(KV, transport.forEndpoint(cluster.endpoints[0]!)).range({ key: bytes("url/k") });
    await using gateway = createGatewayTransport({ endpoints: cluster.endpoints, interceptors: [recorder] });
    await createClient(KV, gateway).range({ key: bytes("url/k") });
    await createClient(KV, gateway.forEndpoint(cluster.endpoints[0]!)).range({ key: bytes("url/k") });
    expect(urls).toEqual([
      "/etcdserverpb.KV/Range",
      `${cluster.endpoints[0]}/etcdserverpb.KV/Range`,
      "/v3/kv/range",
      `${cluster.endpoints[0]}/v3/kv/range`,
    ]);
  });

  it("without interceptors: a caller's own contextValues get the call report filled in (gRPC and gateway, unary and streams)", async () => {
    for (const transport of [createTransport({ endpoints: cluster.endpoints }), createGatewayTransport({ endpoints: cluster.endpoints })]) {
      const values = createContextValues();
      const report = callReport({ contextValues: values });
      await createClient(KV, transport).range({ key: bytes("report/k") }, { contextValues: values });
      expect(report).toEqual({ endpoint: cluster.endpoints[0], attempts: 1, retries: 0 });

      const streamValues = createContextValues();
      const streamReport = callReport({ contextValues: streamValues });
      const stop = new AbortController();
      for await (const response of createClient(Watch, transport).watch(watchRequests("report/w", stop.signal), {
        signal: stop.signal,
        contextValues: streamValues,
      })) {
        if (response.created) break;
      }
      stop.abort();
      expect(streamReport.endpoint).toBe(cluster.endpoints[0]);
      expect(streamReport.attempts).toBe(1);
      await transport.close();
    }
  });

  it("an interceptor that throws, or short-circuits: the caller gets an EtcdError, or the interceptor's answer without any I/O", async () => {
    const member = cluster.members[0]!;
    const thrower: Interceptor = () => () => {
      throw new Error("interceptor broke");
    };
    await using broken = createTransport({ endpoints: [member.proxy!.url], interceptors: [thrower] });
    member.proxy!.resetStats();
    const error = await createClient(KV, broken)
      .range({ key: bytes("k") })
      .catch((e: unknown) => e);
    expect(isEtcdError(error, "unknown")).toBe(true);
    expect((error as EtcdError).rawMessage).toBe("interceptor broke");
    expect(member.proxy!.stats.http2Streams).toBe(0);
  });

  it("bad interceptors or onEvent fail with invalid-argument when the transport is created", () => {
    for (const create of [createTransport, createGatewayTransport]) {
      expect(() => create({ endpoints: cluster.endpoints, interceptors: "x" as never })).toThrow(/"interceptors" must be an array/);
      expect(() => create({ endpoints: cluster.endpoints, interceptors: [() => undefined as never, 1 as never] })).toThrow(
        /"interceptors" must be an array of Connect interceptors \(functions\)/,
      );
      expect(() => create({ endpoints: cluster.endpoints, onEvent: {} as never })).toThrow(/"onEvent" must be a function/);
      try {
        create({ endpoints: cluster.endpoints, onEvent: 1 as never });
      } catch (err) {
        expect(isEtcdError(err, "invalid-argument")).toBe(true);
      }
    }
  });
});
