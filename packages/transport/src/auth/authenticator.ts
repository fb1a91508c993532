import type { DescMessage, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import type { UnaryResponse } from "@connectrpc/connect";
import { AuthenticateRequestSchema, AuthenticateResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { unaryMethod } from "../call/unary-method.js";
import { isEtcdError } from "../errors/etcd-error.js";
import { createTokenSource, type IssuedToken, type TokenSource } from "./token-source.js";

/**
 * How the authenticator sends a unary call: the transport's own call path, without a token.
 * `shown` is the request as interceptors may see it (the password blanked); `input` is sent. The
 * response may say which endpoint answered (`url`): that member issued the token.
 *
 * @example
 * ```ts
 * const call: UnaryCaller = (method, input, signal, shown) =>
 *   entries.unary(env, "", method, signal, 30_000, undefined, input, undefined, false, shown);
 * ```
 */
export type UnaryCaller = <I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  input: MessageInitShape<I>,
  signal: AbortSignal | undefined,
  shown: MessageInitShape<I>,
) => Promise<UnaryResponse<I, O> & { readonly url?: string }>;

/** etcdserverpb.Auth/Authenticate, without the rest of the Auth service (see unaryMethod). */
const authenticateMethod = /*@__PURE__*/ unaryMethod("etcdserverpb.Auth", "Authenticate", AuthenticateRequestSchema, AuthenticateResponseSchema);

/**
 * The transport's token source for username/password auth: sends etcdserverpb.Auth/Authenticate
 * through the transport's call path (without a token, with the usual endpoint failover) and
 * caches the token; concurrent calls share one authentication.
 *
 * The token is "" when etcd answers that auth is not enabled (then no token is sent).
 * A wrong password fails with reason "auth-failed" (etcd's "authentication failed, invalid user
 * ID or password") and is not retried. The password is only ever put in the request message;
 * errors carry the server's message, which never contains it.
 *
 * @example
 * ```ts
 * const tokens = createAuthenticator({ username: "root", password }, (method, input, signal, shown) =>
 *   entries.unary(env, "", method, signal, 30_000, undefined, input, undefined, false, shown),
 * );
 * const token = await tokens.token();
 * ```
 */
export function createAuthenticator(
  credentials: { readonly username: string; readonly password: string },
  call: UnaryCaller,
): TokenSource {
  return createTokenSource(async (signal): Promise<IssuedToken> => {
    try {
      const request = { name: credentials.username, password: credentials.password };
      const response = await call(authenticateMethod, request, signal, { name: credentials.username, password: "" });
      return { token: response.message.token, issuer: response.url };
    } catch (err) {
      // As Go's client: credentials for a cluster without auth are not an error; calls go
      // without a token (and authenticate again if etcd later asks for a user).
      if (isEtcdError(err, "auth-not-enabled")) return { token: "" };
      throw err;
    }
  });
}
