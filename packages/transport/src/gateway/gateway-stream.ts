import { create, type DescMessage, type DescMethodStreaming, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { Code, type StreamResponse } from "@connectrpc/connect";
import { isStaleTokenError } from "../auth/token-source.js";
import type { CallContext } from "../call/call-context.js";
import { AttemptFailure, unavailableError } from "../call/call-errors.js";
import { methodInfo } from "../call/method-info.js";
import { EtcdError } from "../errors/etcd-error.js";
import { toEtcdError } from "../errors/to-etcd-error.js";
import { MessageChannel } from "./message-channel.js";
import { requestBody, requestHeaders, routeOf, type GatewayEnv } from "./gateway-call.js";
import { failedAnswer, postAttempt, readBody } from "./gateway-fetch.js";
import { streamLineError } from "./gateway-errors.js";
import { readJsonLines } from "./json-lines.js";
import { fromGatewayJson } from "./json-codec.js";

/**
 * How the requests of a stream map to HTTP requests. HTTP/1.1 fetch cannot keep sending on a
 * request whose answer is streaming, so:
 *
 * - "single": a server-streaming RPC (Snapshot, Election.Observe): one request, its answer lines;
 * - "per-message": LeaseKeepAlive (etcd answers once per request and ends it): one request per
 *   message, answers merged in arrival order;
 * - "watch": the creates that arrive together go in one request (each keeps the watch ID the
 *   watch package chose, so IDs stay unique across requests); a cancel aborts the request when it
 *   held only that watch, and otherwise drops that watch's further answers (etcd keeps it until
 *   the request ends); each answers with `canceled`, as etcd would. A progress request goes alone
 *   and its request is closed after the answer. A watch request that ends fails the stream
 *   ("unavailable"), so the watch package re-creates every watch from its next revision.
 */
type StreamKind = "single" | "per-message" | "watch";

interface Physical {
  readonly controller: AbortController;
  /** Watch IDs the request carries (watch streams). */
  readonly ids: Set<bigint>;
  /** Aborted on purpose (cancel, progress answered): its end is not an error. */
  closing: boolean;
}

/** Delay that gathers the creates sent together (the watch package sends them in one burst). */
const BATCH_MS = 0;

type WatchRequestLike = { requestUnion?: { case?: string; value?: { watchId?: bigint } } };

/**
 * A streaming call over the gateway (`Transport.stream()`): see StreamKind for how messages map
 * to HTTP requests. Any request failing (network, HTTP error, an `{"error": …}` line) fails the
 * whole stream with that EtcdError and aborts the others; a stale token is dropped so that the
 * re-opened stream authenticates again. The call's signal, deadline, the transport's close or the
 * consumer leaving the iteration abort every request.
 *
 * @example
 * ```ts
 * const response = openGatewayStream(env, Watch.method.watch, ctx, undefined, requests);
 * for await (const message of response.message) handle(message);
 * ```
 */
export function openGatewayStream<I extends DescMessage, O extends DescMessage>(
  env: GatewayEnv,
  method: DescMethodStreaming<I, O>,
  ctx: CallContext,
  caller: HeadersInit | undefined,
  input: AsyncIterable<MessageInitShape<I>>,
  onEnd: () => void,
): StreamResponse<I, O> {
  const info = methodInfo(method);
  const path = routeOf(method);
  const kind: StreamKind =
    method.methodKind === "server_streaming" ? "single" : info.name === "etcdserverpb.Watch/Watch" ? "watch" : "per-message";
  const header = new Headers();
  const physical = new Set<Physical>();
  const tokensUsed = new Set<string>();
  let inputDone = false;
  let batch: Array<MessageInitShape<I>> = [];
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  /** Watch IDs canceled while their request lives on: their answers are dropped. */
  const dropped = new Set<bigint>();
  /** Where the latest request of the stream went. */
  let lastUrl = "";

  const out = new MessageChannel<MessageShape<O>>((error) => {
    for (const p of physical) p.controller.abort(error);
    physical.clear();
    if (batchTimer !== undefined) clearTimeout(batchTimer);
    if (error !== undefined && isStaleTokenError(error) && tokensUsed.size > 0) {
      for (const token of tokensUsed) env.tokens?.invalidate(token);
      env.emit?.({ type: "token-refresh", endpoint: lastUrl, error });
    }
    ctx.dispose();
    onEnd();
  });
  ctx.waitingOn = { abort: (error) => out.fail(error) };
  if (ctx.error !== undefined) out.fail(ctx.error);

  const fail = (error: unknown) => out.fail(error instanceof AttemptFailure ? error.error : toEtcdError(error));

  async function run(messages: Array<MessageInitShape<I>>, p: Physical): Promise<void> {
    const body = messages.map((m) => requestBody(method, m)).join("\n");
    const token = env.tokens === undefined ? undefined : await env.tokens.token(p.controller.signal);
    if (token) tokensUsed.add(token);
    if (out.done || p.controller.signal.aborted) return;
    const url = env.endpoints.pick();
    lastUrl = url;
    env.stats.requests++;
    const report = ctx.report;
    if (report !== undefined) {
      report.attempts++;
      report.endpoint = url;
    }
    const response = await postAttempt(env.fetch, url + path, body, requestHeaders(env, token, caller), ctx, p.controller).catch((failure: unknown) => {
      if (!p.controller.signal.aborted) env.endpoints.failed(url, failure instanceof AttemptFailure ? failure.error : undefined);
      throw failure;
    });
    ctx.waitingOn = { abort: (error) => out.fail(error) };
    if (!response.ok) throw failedAnswer(response, await readBody(response, url, ctx, env.maxReceiveMessageBytes), info.name);
    env.endpoints.succeeded(url);
    let empty = true;
    header.forEach(() => (empty = false));
    if (empty) response.headers.forEach((value, name) => header.set(name, value));
    try {
      for await (const line of readJsonLines(response.body!, env.maxReceiveMessageBytes)) {
        if (out.done) return;
        const error = streamLineError(line);
        if (error !== undefined) throw error;
        const message = decode((line as { result?: unknown }).result);
        if (kind === "watch" && dropped.has((message as { watchId?: bigint }).watchId ?? -1n)) continue;
        out.push(message);
        if (p.closing) return; // a progress request: its answer came
      }
    } catch (err) {
      if (err instanceof EtcdError || out.done || p.controller.signal.aborted) throw err;
      // The connection broke while the answer streamed.
      throw unavailableError(`the gateway's stream broke: ${(err as Error).message} (${url})`, err);
    }
  }

  function decode(result: unknown): MessageShape<O> {
    try {
      if (result === undefined) throw new TypeError("a line has neither result nor error");
      return fromGatewayJson(method.output, result);
    } catch (err) {
      throw new EtcdError(`cannot read the gateway's stream: ${(err as Error).message}`, "unknown", Code.Internal, { cause: err });
    }
  }

  function start(messages: Array<MessageInitShape<I>>, ids: Set<bigint>, closing = false): void {
    const p: Physical = { controller: new AbortController(), ids, closing };
    physical.add(p);
    run(messages, p).then(
      () => {
        physical.delete(p);
        if (out.done) return;
        if (kind === "single") out.end();
        else if (kind === "watch" && !p.closing) out.fail(unavailableError("etcd ended a watch request of the gateway"));
        else if (inputDone && physical.size === 0) out.end();
        if (p.closing) p.controller.abort();
      },
      (error: unknown) => {
        physical.delete(p);
        if (p.closing && p.controller.signal.aborted) return;
        if (!out.done) fail(error);
      },
    );
  }

  function flush(): void {
    batchTimer = undefined;
    if (batch.length === 0 || out.done) return;
    const messages = batch;
    batch = [];
    const ids = new Set(messages.map((m) => (m as WatchRequestLike).requestUnion?.value?.watchId ?? -1n));
    start(messages, ids);
  }

  function route(message: MessageInitShape<I>): void {
    if (kind !== "watch") {
      start([message], new Set());
      return;
    }
    const union = (message as WatchRequestLike).requestUnion;
    if (union?.case === "createRequest") {
      batch.push(message);
      batchTimer ??= setTimeout(flush, BATCH_MS);
    } else if (union?.case === "cancelRequest") {
      if (batchTimer !== undefined) {
        clearTimeout(batchTimer);
        flush();
      }
      const id = union.value?.watchId ?? 0n;
      for (const p of physical) {
        if (!p.ids.has(id)) continue;
        p.ids.delete(id);
        if (p.ids.size === 0) {
          p.closing = true;
          physical.delete(p);
          p.controller.abort();
        } else {
          dropped.add(id);
        }
      }
      out.push(create(method.output, { watchId: id, canceled: true } as never) as MessageShape<O>);
    } else {
      start([message], new Set(), true);
    }
  }

  if (kind === "single") {
    void firstMessage(input).then(
      (message) => (message === undefined ? fail(invalidInput(info.name)) : start([message], new Set())),
      fail,
    );
  } else {
    void (async () => {
      for await (const message of input) {
        if (out.done) return;
        route(message);
      }
      inputDone = true;
      if (kind === "per-message" && physical.size === 0) out.end();
    })().catch(fail);
  }
  return { stream: true, service: method.parent, method, header, trailer: new Headers(), message: out };
}

async function firstMessage<T>(input: AsyncIterable<T>): Promise<T | undefined> {
  for await (const message of input) return message;
  return undefined;
}

function invalidInput(method: string): EtcdError {
  return new EtcdError(`${method}: a server-streaming call needs one request message`, "invalid-argument", Code.InvalidArgument);
}
