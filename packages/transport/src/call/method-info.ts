import type { DescMethod } from "@bufbuild/protobuf";
import { retryPolicyFor, type RetryPolicy } from "../retry-policy.js";

/**
 * What the call path needs about an RPC, computed once per method descriptor.
 *
 * @example
 * ```ts
 * const info = methodInfo(KV.method.range); // { path: "/etcdserverpb.KV/Range", policy: "repeatable", ... }
 * ```
 */
export interface MethodInfo {
  /** HTTP/2 `:path`, e.g. "/etcdserverpb.KV/Range". */
  readonly path: string;
  /** "etcdserverpb.KV/Range", used in error messages. */
  readonly name: string;
  readonly policy: RetryPolicy;
}

const cache = new WeakMap<DescMethod, MethodInfo>();

/**
 * Cached {@link MethodInfo} of a method descriptor.
 *
 * @example
 * ```ts
 * methodInfo(KV.method.put).policy; // "non-repeatable"
 * ```
 */
export function methodInfo(method: DescMethod): MethodInfo {
  let info = cache.get(method);
  if (info === undefined) {
    const service = method.parent.typeName;
    info = {
      path: `/${service}/${method.name}`,
      name: `${service}/${method.name}`,
      policy: retryPolicyFor(service, method.name),
    };
    cache.set(method, info);
  }
  return info;
}
