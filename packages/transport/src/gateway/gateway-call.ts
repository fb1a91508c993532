import type { DescMessage, DescMethod, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import { Code, type UnaryResponse } from "@connectrpc/connect";
import type { TokenSource } from "../auth/token-source.js";
import type { CallContext } from "../call/call-context.js";
import { AttemptFailure } from "../call/call-errors.js";
import { methodInfo } from "../call/method-info.js";
import { EtcdError } from "../errors/etcd-error.js";
import { retryAttempts, type RetryEnv } from "../retry/retry-loop.js";
import type { GatewayEndpoints } from "./gateway-endpoints.js";
import { failedAnswer, parseJson, postAttempt, readBody } from "./gateway-fetch.js";
import { fromGatewayJson, toGatewayJson } from "./json-codec.js";
import { gatewayPath } from "./routes.js";

/**
 * What the calls of a gateway transport share.
 *
 * @example
 * ```ts
 * const env: GatewayEnv = { endpoints, fetch, tokens: undefined, requireLeader: false, sendMetadata: true, stats: { calls: 0, requests: 0, retries: 0 }, reaches: endpointsReach };
 * ```
 */
export interface GatewayEnv extends RetryEnv {
  readonly endpoints: GatewayEndpoints;
  readonly fetch: typeof globalThis.fetch;
  tokens: TokenSource | undefined;
  readonly requireLeader: boolean;
  readonly sendMetadata: boolean;
  /** Largest answer (a unary body, a line of a stream) read; more is "message-too-large". */
  readonly maxReceiveMessageBytes: number;
  readonly stats: { calls: number; requests: number; retries: number };
}

/**
 * `RetryEnv.reaches` of a gateway environment: `url` is one of its endpoints. A method, so that
 * an environment copied for one member (`{ ...env, endpoints }`) asks its own list.
 *
 * @example
 * ```ts
 * const env: GatewayEnv = { ..., reaches: endpointsReach };
 * ```
 */
export function endpointsReach(this: GatewayEnv, url: string): boolean {
  return this.endpoints.urls.includes(url);
}

/**
 * The HTTP headers of one gateway request: JSON, the raw token in `Authorization` (etcd 3.4
 * rejects a `Bearer ` prefix), and gRPC metadata as `Grpc-Metadata-*` headers when allowed.
 *
 * @example
 * ```ts
 * requestHeaders(env, token, new Headers({ hasleader: "true" })); // { "content-type": ..., authorization: token, "grpc-metadata-hasleader": "true" }
 * ```
 */
export function requestHeaders(env: GatewayEnv, token: string | undefined, caller: HeadersInit | undefined): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers["authorization"] = token;
  if (env.sendMetadata) {
    if (env.requireLeader) headers["grpc-metadata-hasleader"] = "true";
    if (caller !== undefined) new Headers(caller).forEach((value, name) => (headers[`grpc-metadata-${name}`] = value));
  }
  return headers;
}

/**
 * The gateway path of `method`, or EtcdError "unimplemented" when the protos give it no route.
 *
 * @example
 * ```ts
 * routeOf(KV.method.range); // "/v3/kv/range"
 * ```
 */
export function routeOf(method: DescMethod): string {
  const path = gatewayPath(method);
  if (path === undefined) {
    throw new EtcdError(`${methodInfo(method).name} has no route on etcd's gateway`, "unimplemented", Code.Unimplemented);
  }
  return path;
}

/**
 * The JSON body of a request, checked before any I/O (EtcdError "invalid-argument").
 *
 * @example
 * ```ts
 * const body = requestBody(KV.method.range, { key });
 * ```
 */
export function requestBody<I extends DescMessage>(method: DescMethod & { input: I }, input: MessageInitShape<I>): string {
  return JSON.stringify(toGatewayJson(method.input, input as object));
}

/**
 * A unary call over the gateway: POST of the request's JSON to its route, with etcd's retry
 * rules across endpoints (`retryAttempts`, shared with the gRPC transport). Resolves with the
 * decoded answer (and `url`, the endpoint that answered); rejects with the last attempt's EtcdError
 * (the caller applies `finalCallError`).
 *
 * @example
 * ```ts
 * const response = await gatewayUnary(env, KV.method.range, ctx, { key }, undefined, true);
 * ```
 */
export async function gatewayUnary<I extends DescMessage, O extends DescMessage>(
  env: GatewayEnv,
  method: DescMethodUnary<I, O>,
  ctx: CallContext,
  input: MessageInitShape<I>,
  caller: HeadersInit | undefined,
  useToken: boolean,
): Promise<UnaryResponse<I, O> & { readonly url: string }> {
  const info = methodInfo(method);
  const path = routeOf(method);
  const body = requestBody(method, input);
  const target = { url: "" };
  return retryAttempts(ctx, info, env, useToken, target, async (token, prefer) => {
    const url = prefer ?? env.endpoints.pick();
    target.url = url;
    const controller = new AbortController();
    env.stats.requests++;
    let response: Response;
    try {
      response = await postAttempt(env.fetch, url + path, body, requestHeaders(env, token, caller), ctx, controller);
    } catch (failure) {
      if (failure instanceof AttemptFailure && ctx.error === undefined) env.endpoints.failed(url, failure.error);
      throw failure;
    }
    const text = await readBody(response, url, ctx, env.maxReceiveMessageBytes);
    ctx.waitingOn = undefined;
    env.endpoints.succeeded(url);
    if (!response.ok) throw failedAnswer(response, text, info.name);
    let message;
    try {
      message = fromGatewayJson(method.output, parseJson(text));
    } catch (err) {
      throw new EtcdError(`cannot read the gateway's answer to ${info.name}: ${(err as Error).message}`, "unknown", Code.Internal, { cause: err });
    }
    return { stream: false, service: method.parent, method, header: response.headers, message, trailer: new Headers(), url };
  });
}
