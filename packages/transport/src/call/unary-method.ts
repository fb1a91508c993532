import type { DescMessage, DescMethodUnary, DescService } from "@bufbuild/protobuf";

/**
 * A method descriptor for one unary RPC the transport sends itself (Authenticate, MemberList),
 * built from its two messages only. Importing the generated service (`Auth`, `Cluster`) instead
 * would put every message of every method of that service into every bundle that uses the
 * transport; this carries the two that the call needs. It has what the transports read (`name`,
 * `parent.typeName`, `input`, `output`, `methodKind`); it is not for Connect's `createClient`.
 *
 * @example
 * ```ts
 * const authenticate = unaryMethod("etcdserverpb.Auth", "Authenticate", AuthenticateRequestSchema, AuthenticateResponseSchema);
 * ```
 */
export function unaryMethod<I extends DescMessage, O extends DescMessage>(
  serviceTypeName: string,
  name: string,
  input: I,
  output: O,
): DescMethodUnary<I, O> {
  const dot = serviceTypeName.lastIndexOf(".");
  const parent = {
    kind: "service",
    typeName: serviceTypeName,
    name: serviceTypeName.slice(dot + 1),
    toString: () => `service ${serviceTypeName}`,
  } as unknown as DescService;
  return {
    kind: "rpc",
    name,
    localName: name[0]!.toLowerCase() + name.slice(1),
    parent,
    methodKind: "unary",
    input,
    output,
    idempotency: 0,
    deprecated: false,
    toString: () => `rpc ${serviceTypeName}.${name}`,
  } as unknown as DescMethodUnary<I, O>;
}
