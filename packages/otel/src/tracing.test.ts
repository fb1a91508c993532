/**
 * The tracing interceptor against a real etcd, with the OpenTelemetry SDK's in-memory exporter:
 * spans per RPC with etcd's attributes, errors, retries, streams, parents, and what must never
 * be recorded (values, passwords).
 */
import { createClient } from "@connectrpc/connect";
import { Auth, KV, Watch } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createGatewayTransport } from "@etcdkit/transport/gateway";
import { createTransport, isEtcdError, toBytes } from "@etcdkit/transport";
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type ContextManager } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTracingInterceptor } from "./tracing-interceptor.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracing = createTracingInterceptor({ tracerProvider: provider });

/**
 * A synchronous context manager (a stack), enough to see parents: the interceptor reads the
 * active context when the call starts, which Connect's clients do synchronously.
 */
class StackContextManager implements ContextManager {
  private readonly stack: Context[] = [];
  active(): Context {
    return this.stack.at(-1) ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.stack.pop();
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const named = (name: string): ReadableSpan[] => spans().filter((s) => s.name === name);
/** Every attribute, status and event of every span, as text: what must never show up there is checked against it. */
const everything = (): string => JSON.stringify(spans().map((s) => [s.name, s.attributes, s.status, s.events]));

describe("createTracingInterceptor against etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
  });
  afterEach(() => exporter.reset());
  afterAll(() => cluster?.stop());

  it("one client span per RPC: names, rpc and etcd attributes, the endpoint, the revision; the key recorded, the value never", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints, interceptors: [tracing] });
    const kv = createClient(KV, transport);
    const put = await kv.put({ key: toBytes("otel/k"), value: toBytes("secret-value-1") });
    const got = await kv.range({ key: toBytes("otel/"), rangeEnd: toBytes("otel0") });
    expect(got.count).toBe(1n);

    expect(spans().map((s) => s.name)).toEqual(["etcdserverpb.KV/Put", "etcdserverpb.KV/Range"]);
    const endpoint = new URL(cluster.endpoints[0]!);
    for (const span of spans()) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(span.attributes).toMatchObject({
        "rpc.system": "grpc",
        "rpc.service": "etcdserverpb.KV",
        "db.system": "etcd",
        "etcd.endpoint": cluster.endpoints[0],
        "server.address": endpoint.hostname,
        "server.port": Number(endpoint.port),
        "etcd.attempts": 1,
        "etcd.retries": 0,
        "rpc.grpc.status_code": 0,
      });
    }
    expect(named("etcdserverpb.KV/Put")[0]!.attributes).toMatchObject({ "rpc.method": "Put", "etcd.key": "otel/k", "etcd.revision": Number(put.header!.revision) });
    expect(named("etcdserverpb.KV/Range")[0]!.attributes).toMatchObject({
      "rpc.method": "Range",
      "etcd.key": "otel/",
      "etcd.range_end": "otel0",
      "etcd.count": 1,
      "etcd.revision": Number(got.header!.revision),
    });
    expect(everything()).not.toContain("secret-value");
  });

  it("keys: false records none, a function redacts them, binary keys are hex, long keys are cut", async () => {
    const redacting = createTracingInterceptor({ tracerProvider: provider, keys: (key) => (key[0] === 0x74 ? "t/*" : undefined), maxKeyLength: 6 });
    const plain = createTracingInterceptor({ tracerProvider: provider, maxKeyLength: 6 });
    const none = createTracingInterceptor({ tracerProvider: provider, keys: false });
    for (const [interceptor, expected] of [
      [redacting, ["t/*", undefined]],
      [plain, ["tenant…", "0xff01"]],
      [none, [undefined, undefined]],
    ] as const) {
      exporter.reset();
      await using transport = createTransport({ endpoints: cluster.endpoints, interceptors: [interceptor] });
      const kv = createClient(KV, transport);
      await kv.range({ key: toBytes("tenant-a/config") });
      await kv.range({ key: new Uint8Array([0xff, 0x01]) });
      expect(spans().map((s) => s.attributes["etcd.key"])).toEqual(expected);
    }
  });

  it("errors: status ERROR, the etcd reason, the gRPC code, and outcome_unknown for a write whose answer was lost", async () => {
    const proxy = cluster.members[0]!.proxy!;
    await using transport = createTransport({ endpoints: [proxy.url], interceptors: [tracing] });
    const kv = createClient(KV, transport);
    const first = await kv.put({ key: toBytes("otel/c"), value: toBytes("1") });
    await kv.put({ key: toBytes("otel/c"), value: toBytes("2") });
    await kv.compact({ revision: first.header!.revision + 1n });
    const compacted = await kv.range({ key: toBytes("otel/c"), revision: first.header!.revision }).catch((e: unknown) => e);
    expect(isEtcdError(compacted, "compacted")).toBe(true);

    proxy.setMode("drop-responses");
    const lost = await kv.put({ key: toBytes("otel/lost"), value: toBytes("secret-value-2") }, { timeoutMs: 1000 }).catch((e: unknown) => e);
    proxy.setMode("pass");
    expect(isEtcdError(lost, "deadline-exceeded")).toBe(true);

    const [compact, range, lostPut] = [named("etcdserverpb.KV/Compact")[0]!, named("etcdserverpb.KV/Range")[0]!, named("etcdserverpb.KV/Put")[2]!];
    expect(compact.attributes["etcd.compact_revision"]).toBe(Number(first.header!.revision + 1n));
    expect(range.status).toMatchObject({ code: SpanStatusCode.ERROR });
    expect(range.status.message).toMatch(/compacted/);
    expect(range.attributes).toMatchObject({
      "etcd.error.reason": "compacted",
      "error.type": "compacted",
      "rpc.grpc.status_code": 11,
      "etcd.outcome_unknown": false,
      "etcd.read_revision": Number(first.header!.revision),
    });
    expect(lostPut.status.code).toBe(SpanStatusCode.ERROR);
    expect(lostPut.attributes).toMatchObject({ "etcd.error.reason": "deadline-exceeded", "etcd.outcome_unknown": true, "etcd.key": "otel/lost" });
    expect(everything()).not.toContain("secret-value");
  });

  it("retries: a read the transport sent twice is one span with etcd.attempts 2 and etcd.retries 1", async () => {
    const proxy = cluster.members[0]!.proxy!;
    await using transport = createTransport({ endpoints: [proxy.url], interceptors: [tracing] });
    const kv = createClient(KV, transport);
    await kv.range({ key: toBytes("otel/r") }); // connected
    proxy.setMode("reset");
    const pending = kv.range({ key: toBytes("otel/r") }, { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.setMode("pass");
    await pending;
    const last = named("etcdserverpb.KV/Range").at(-1)!;
    expect(last.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(last.attributes["etcd.retries"]).toBeGreaterThanOrEqual(1);
    expect(last.attributes["etcd.attempts"]).toBe((last.attributes["etcd.retries"] as number) + 1);
  });

  it("auth: the Authenticate span and a UserAdd span carry no password", async () => {
    const password = "otel-Pa55word-never-recorded";
    await using admin = createTransport({ endpoints: cluster.endpoints, interceptors: [tracing] });
    const auth = createClient(Auth, admin);
    await auth.userAdd({ name: "otel-user", password });
    await auth.roleAdd({ name: "root" });
    await auth.userAdd({ name: "root", password });
    await auth.userGrantRole({ user: "root", role: "root" });
    await auth.authEnable({});
    try {
      await using transport = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password }, interceptors: [tracing] });
      await createClient(KV, transport).range({ key: toBytes("otel/a") });
      expect(named("etcdserverpb.Auth/Authenticate")).toHaveLength(1);
      expect(named("etcdserverpb.Auth/UserAdd")).toHaveLength(2);
      expect(everything()).not.toContain(password);
      await createClient(Auth, transport).authDisable({});
    } finally {
      await using cleanup = createTransport({ endpoints: cluster.endpoints, auth: { username: "root", password } });
      await createClient(Auth, cleanup).authDisable({}).catch(() => {});
    }
  });

  it("streams: one span from opening to the stream's end, with the messages received; not ended while the stream is open", async () => {
    for (const transport of [
      createTransport({ endpoints: cluster.endpoints, interceptors: [tracing] }),
      createGatewayTransport({ endpoints: cluster.endpoints, interceptors: [tracing] }),
    ]) {
      exporter.reset();
      const stop = new AbortController();
      const requests = (async function* () {
        yield { requestUnion: { case: "createRequest" as const, value: { key: toBytes("otel/w") } } };
        await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
      })();
      let created = false;
      for await (const response of createClient(Watch, transport).watch(requests, { signal: stop.signal })) {
        if (response.created) {
          created = true;
          expect(named("etcdserverpb.Watch/Watch")).toEqual([]); // still open
          await createClient(KV, transport).put({ key: toBytes("otel/w"), value: toBytes("secret-value-3") });
        }
        if (response.events.length > 0) break;
      }
      stop.abort();
      expect(created).toBe(true);
      await expect.poll(() => named("etcdserverpb.Watch/Watch").length, { timeout: 10_000 }).toBe(1);
      const span = named("etcdserverpb.Watch/Watch")[0]!;
      expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(span.attributes["etcd.messages_received"]).toBeGreaterThanOrEqual(2);
      expect(span.attributes["etcd.endpoint"]).toBe(cluster.endpoints[0]);
      expect(everything()).not.toContain("secret-value");
      await transport.close();
    }
  });

  it("spans are children of the active span when the call starts", async () => {
    const manager = new StackContextManager();
    context.setGlobalContextManager(manager);
    try {
      await using transport = createTransport({ endpoints: cluster.endpoints, interceptors: [tracing] });
      const kv = createClient(KV, transport);
      const tracer = provider.getTracer("test");
      const parent = tracer.startSpan("handle-request");
      await context.with(trace.setSpan(context.active(), parent), () => kv.range({ key: toBytes("otel/p") }));
      parent.end();
      const range = named("etcdserverpb.KV/Range")[0]!;
      expect(range.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(range.spanContext().traceId).toBe(parent.spanContext().traceId);
    } finally {
      context.disable();
    }
  });

  it("bad options fail with invalid-argument", () => {
    expect(() => createTracingInterceptor({ tracerProvider: {} as never })).toThrow(/tracerProvider/);
    expect(() => createTracingInterceptor({ keys: "yes" as never })).toThrow(/"keys"/);
    expect(() => createTracingInterceptor({ maxKeyLength: 0 })).toThrow(/"maxKeyLength"/);
    try {
      createTracingInterceptor({ maxKeyLength: -1 });
    } catch (err) {
      expect(isEtcdError(err, "invalid-argument")).toBe(true);
    }
  });
});
