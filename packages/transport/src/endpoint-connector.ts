import type { Transport } from "@connectrpc/connect";
import { invalidArgumentError } from "./errors/client-errors.js";

/**
 * Opens a transport to exactly one member, given its client URL. etcdkit calls it for every
 * call that must reach one particular member and closes the transport (when it has `close()`)
 * as soon as the call settles.
 *
 * With etcdkit's transport, pass your TLS and auth settings through:
 *
 * @example
 * ```ts
 * const connect: ConnectEndpoint = (endpoint) => createTransport({ endpoints: [endpoint], tls, auth });
 * ```
 */
export type ConnectEndpoint = (endpoint: string) => Transport & { close?(): unknown };

/**
 * Runs `fn` with a short-lived transport to `endpoint` and closes it afterwards (errors of
 * close() are ignored: the call's own outcome matters). Throws an EtcdError "invalid-argument"
 * for an empty endpoint, before any network I/O.
 *
 * @example
 * ```ts
 * const status = await withEndpoint(connect, "http://10.0.0.1:2379", "status", (t) => createClient(Maintenance, t).status({}));
 * ```
 */
export async function withEndpoint<T>(
  connect: ConnectEndpoint,
  endpoint: string,
  call: string,
  fn: (transport: Transport) => Promise<T>,
): Promise<T> {
  if (typeof endpoint !== "string" || endpoint.trim() === "") {
    throw invalidArgumentError(`${call}: give the client URL of one member, e.g. "http://10.0.0.1:2379"`);
  }
  const transport = connect(endpoint);
  try {
    return await fn(transport);
  } finally {
    try {
      await transport.close?.();
    } catch {
      // The call's outcome is what matters; a failing close() must not replace it.
    }
  }
}
