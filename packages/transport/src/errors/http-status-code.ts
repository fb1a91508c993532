import { Code } from "@connectrpc/connect";

/**
 * The gRPC code for an HTTP status that came without a gateway error body (a proxy's answer, a
 * route this etcd does not serve), as gRPC maps HTTP statuses.
 *
 * @example
 * ```ts
 * codeFromHttpStatus(404); // Code.Unimplemented
 * ```
 */
export function codeFromHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.Internal;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    case 404:
      return Code.Unimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.Unavailable;
    default:
      return Code.Unknown;
  }
}
