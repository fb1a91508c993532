import type { Transport } from "@connectrpc/connect";
import { EndpointPool } from "../endpoints/endpoint-pool.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import { parseEndpoint, type Endpoint } from "../endpoints/parse-endpoint.js";
import type { ConnectionSettings, EndpointConnection } from "../http2/endpoint-connection.js";
import type { CallEnv } from "../retry/call-with-retry.js";
import type { CallEntries } from "../observe/call-entries.js";
import { attachListener } from "../observe/transport-events.js";

/**
 * A Connect `Transport` bound to one member of an etcdkit transport (from
 * `transport.forEndpoint(url)`): every call and every retry goes to that member, over the
 * transport's own connection to it, with its TLS settings, auth token, keepalive, counters and
 * retry rules. It has no `close()`: it lives as long as the transport it came from.
 *
 * @example
 * ```ts
 * const member: EtcdMemberTransport = transport.forEndpoint("http://10.0.0.2:2379");
 * const status = await createClient(Maintenance, member).status({});
 * ```
 */
export interface EtcdMemberTransport extends Transport {
  /** The member's client URL, normalized (`scheme://host:port`). */
  readonly endpoint: string;
}

/**
 * What member transports need from the transport that creates them: its pool and connection
 * settings, its call environment, and its call entries (run on a member's environment).
 *
 * @example
 * ```ts
 * const forEndpoint = createMemberTransports({ pool, settings, env, entries });
 * ```
 */
export interface MemberTransportHost {
  readonly pool: EndpointPool;
  readonly settings: ConnectionSettings;
  readonly env: CallEnv;
  readonly entries: CallEntries<CallEnv>;
}

/**
 * Returns `forEndpoint(url)`: the member transport for a client URL, one per normalized URL
 * (asking twice gives the same object). Throws an EtcdError "invalid-argument" for a URL that
 * is not `http(s)://host:port`, and for an `http://` URL on a TLS transport (never a downgrade),
 * before any I/O.
 *
 * Each call finds the member's connection at call time (see `EndpointPool.connectionFor`): the
 * transport's own when the URL is one of its endpoints, else one kept per URL and closed with the
 * transport; after auto-sync replaced a connection, calls use the new one.
 *
 * @example
 * ```ts
 * const forEndpoint = createMemberTransports(host);
 * await createClient(Maintenance, forEndpoint("http://10.0.0.2:2379")).status({});
 * ```
 */
export function createMemberTransports(host: MemberTransportHost): (url: string) => EtcdMemberTransport {
  const byUrl = new Map<string, EtcdMemberTransport>();
  return (url) => {
    const endpoint = parseEndpoint(url);
    if (host.settings.secure && !endpoint.secure) {
      throw invalidArgumentError(
        `forEndpoint: "${endpoint.url}" is not https://, and this transport uses TLS: its token would go in cleartext`,
      );
    }
    let member = byUrl.get(endpoint.url);
    if (member === undefined) {
      member = memberTransport(host, endpoint);
      byUrl.set(endpoint.url, member);
    }
    return member;
  };
}

function memberTransport(host: MemberTransportHost, endpoint: Endpoint): EtcdMemberTransport {
  let bound: { readonly connection: EndpointConnection; readonly env: CallEnv } | undefined;
  /** The call environment whose pool holds only this member's current connection. */
  const envNow = (): CallEnv => {
    const connection = host.pool.connectionFor(endpoint);
    if (bound?.connection !== connection) {
      bound = { connection, env: { ...host.env, pool: EndpointPool.over(connection, host.settings) } };
    }
    return bound.env;
  };
  const member: EtcdMemberTransport = {
    endpoint: endpoint.url,
    unary: (method, signal, timeoutMs, header, input, contextValues) =>
      host.entries.unary(envNow(), endpoint.url, method, signal, timeoutMs, header, input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) =>
      host.entries.stream(envNow(), endpoint.url, method, signal, timeoutMs, header, input, contextValues),
  };
  attachListener(member, host.env.emit);
  return member;
}
