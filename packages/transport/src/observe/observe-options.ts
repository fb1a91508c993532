import type { Interceptor } from "@connectrpc/connect";
import { typeName } from "../argument-checks.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import { safeListener, type TransportEventListener } from "./transport-events.js";

/**
 * The observability options every etcdkit transport takes (`createTransport`,
 * `createGatewayTransport`).
 *
 * @example
 * ```ts
 * const options: ObserveOptions = {
 *   interceptors: [logger],
 *   onEvent: (event) => console.log(event.type),
 * };
 * ```
 */
export interface ObserveOptions {
  /**
   * Connect interceptors, run around every unary and streaming call as Connect's own transports
   * run them (the first is the outermost), including the transport's own Authenticate (with its
   * password blanked in what they see) and MemberList calls. Default: none (no cost at all).
   */
  interceptors?: readonly Interceptor[];
  /** Diagnostic events (endpoint up/down, reconnects, retries, token refreshes...). Default: none (no cost at all). */
  onEvent?: TransportEventListener;
}

/**
 * Checked observability options: a copy of the interceptor list, and the listener wrapped so that
 * it never throws into the transport.
 *
 * @example
 * ```ts
 * const { interceptors, emit } = resolveObserveOptions(options, "createTransport");
 * ```
 */
export interface ResolvedObserveOptions {
  readonly interceptors: readonly Interceptor[];
  readonly emit: TransportEventListener | undefined;
}

/**
 * Checks `interceptors` (an array of functions) and `onEvent` (a function); throws EtcdError
 * "invalid-argument" naming `who` otherwise, before any I/O.
 *
 * @example
 * ```ts
 * resolveObserveOptions({ interceptors: [logger] }, "createTransport").interceptors.length; // 1
 * ```
 */
export function resolveObserveOptions(options: Partial<ObserveOptions>, who: string): ResolvedObserveOptions {
  const { interceptors, onEvent } = options;
  const list: readonly unknown[] = interceptors ?? [];
  if (!Array.isArray(list) || list.some((i) => typeof i !== "function")) {
    throw invalidArgumentError(`${who}: "interceptors" must be an array of Connect interceptors (functions), got ${typeName(interceptors)}`);
  }
  if (onEvent !== undefined && typeof onEvent !== "function") throw invalidArgumentError(`${who}: "onEvent" must be a function, got ${typeName(onEvent)}`);
  return { interceptors: [...(list as readonly Interceptor[])], emit: safeListener(onEvent) };
}
