import type { Transport } from "@connectrpc/connect";
import { invalidArgumentError } from "./errors/client-errors.js";

/**
 * A Connect transport that can address one member by client URL, as etcdkit's `createTransport`
 * can (`transport.forEndpoint(url)`).
 *
 * @example
 * ```ts
 * if (canAddressMembers(transport)) await createClient(Maintenance, transport.forEndpoint(url)).status({});
 * ```
 */
export interface MemberAddressingTransport extends Transport {
  forEndpoint(url: string): Transport;
}

/**
 * True when `transport` can address one member (`forEndpoint`): etcdkit's transport can,
 * Connect's own transports cannot.
 *
 * @example
 * ```ts
 * canAddressMembers(createTransport({ endpoints })); // true
 * canAddressMembers(createGrpcTransport({ baseUrl })); // false
 * ```
 */
export function canAddressMembers(transport: Transport): transport is MemberAddressingTransport {
  return typeof (transport as Partial<MemberAddressingTransport>).forEndpoint === "function";
}

/**
 * The transport for a call that must reach one particular member (`call` names it in errors):
 * `transport.forEndpoint(endpoint)`, which shares the transport's connection to that member (or
 * keeps one for it), its TLS settings and its auth token. Throws an EtcdError "invalid-argument",
 * before any network I/O, for a missing or malformed endpoint and for a transport that cannot
 * address one member (a plain Connect transport).
 *
 * @example
 * ```ts
 * const status = await createClient(Maintenance, memberTransport(transport, "http://10.0.0.1:2379", "status")).status({});
 * ```
 */
export function memberTransport(transport: Transport, endpoint: unknown, call: string): Transport {
  if (typeof endpoint !== "string" || endpoint.trim() === "") {
    throw invalidArgumentError(`${call}: give the client URL of one member, e.g. "http://10.0.0.1:2379"`);
  }
  if (!canAddressMembers(transport)) {
    throw invalidArgumentError(
      `${call}: addressing one member needs a transport that can reach a member by URL, such as ` +
        "createTransport() from @etcdkit/transport (transport.forEndpoint); this transport cannot",
    );
  }
  return transport.forEndpoint(endpoint);
}
