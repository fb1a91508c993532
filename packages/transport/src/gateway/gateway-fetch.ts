import type { CallContext } from "../call/call-context.js";
import { AttemptFailure, unavailableError } from "../call/call-errors.js";
import { isEtcdError, type EtcdError } from "../errors/etcd-error.js";
import { readTextWithin } from "./bounded-body.js";
import { gatewayError, isGatewayErrorBody } from "./gateway-errors.js";

/**
 * Network errors that prove the request never left the client (no connection was made): Node's
 * and Bun's error codes, Deno's and other runtimes' messages, and fetch's own refusal of a port
 * on its blocked list ("bad port": Node's fetch never connects to ports such as 9 or 6000). Browsers and workerd report every
 * network failure the same way ("Failed to fetch", "Network connection lost"), so there a failed
 * write cannot be told apart from a lost one and is treated as possibly sent.
 */
const notConnected = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ConnectionRefused|Connection refused|FailedToOpenSocket|dns error|failed to lookup|bad port/i;

function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    parts.push([typeof code === "string" ? code : "", typeof message === "string" ? message : String(e)].filter(Boolean).join(" "));
  }
  return parts.join(": ");
}

/**
 * A POST of `body` to `url` for one attempt of a call: aborted when the call ends (its deadline,
 * signal, or the transport's close). Resolves with the response once its headers arrived, or
 * rejects with an `AttemptFailure`: "unavailable" for a network failure (not sent when the error
 * proves no connection was made), the call's own error when it ended meanwhile.
 *
 * @example
 * ```ts
 * const response = await postAttempt(fetch, "http://127.0.0.1:2379/v3/kv/range", body, headers, ctx, controller);
 * ```
 */
export async function postAttempt(
  fetchFn: typeof globalThis.fetch,
  url: string,
  body: string,
  headers: Record<string, string>,
  ctx: CallContext,
  controller: AbortController,
): Promise<Response> {
  ctx.waitingOn = { abort: (error) => controller.abort(error) };
  try {
    return await fetchFn(url, { method: "POST", body, headers, signal: controller.signal });
  } catch (err) {
    if (ctx.error !== undefined) throw new AttemptFailure(ctx.error, true, false);
    const text = describe(err);
    throw new AttemptFailure(unavailableError(`${text} (${url})`, err), !notConnected.test(text), false);
  }
}

/**
 * The whole body of a response as text, aborted with the call; a failure while reading is
 * "unavailable" (the request was sent), a body over `limit` bytes (maxReceiveMessageBytes)
 * "message-too-large".
 *
 * @example
 * ```ts
 * const text = await readBody(response, url, ctx, env.maxReceiveMessageBytes);
 * ```
 */
export async function readBody(response: Response, url: string, ctx: CallContext, limit: number): Promise<string> {
  try {
    return await readTextWithin(response, limit);
  } catch (err) {
    if (ctx.error !== undefined) throw new AttemptFailure(ctx.error, true, false);
    if (isEtcdError(err, "message-too-large")) throw new AttemptFailure(err, true, false);
    throw new AttemptFailure(unavailableError(`${describe(err)} (${url})`, err), true, false);
  }
}

/**
 * The AttemptFailure of a non-2xx answer, from its body: a gateway error body is etcd's own answer
 * (`fromServer`), and so is a 404 for a route this etcd does not serve (nothing was applied);
 * anything else (a proxy's 502) may hide an applied write.
 *
 * @example
 * ```ts
 * if (!response.ok) throw failedAnswer(response, await readBody(response, url, ctx, limit), info.name);
 * ```
 */
export function failedAnswer(response: Response, text: string, method: string): AttemptFailure {
  const body = parseJson(text);
  const error: EtcdError = gatewayError(response.status, body, method, response.headers);
  return new AttemptFailure(error, true, isGatewayErrorBody(body) || response.status === 404);
}

/** JSON.parse, or undefined for text that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
