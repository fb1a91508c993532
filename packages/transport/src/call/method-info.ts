import type { DescMethod } from "@bufbuild/protobuf";
import { rpcPolicyFor, type RetryPolicy } from "../retry-policy.js";

/**
 * What the call path needs about an RPC, computed once per method descriptor.
 *
 * @example
 * ```ts
 * const info = methodInfo(KV.method.range); // { path: "/etcdserverpb.KV/Range", policy: "repeatable", mutates: false, ... }
 * ```
 */
export interface MethodInfo {
  /** HTTP/2 `:path`, e.g. "/etcdserverpb.KV/Range". */
  readonly path: string;
  /** "etcdserverpb.KV/Range", used in error messages. */
  readonly name: string;
  readonly policy: RetryPolicy;
  /** The RPC may change etcd's state (see `RpcPolicy.mutates`). */
  readonly mutates: boolean;
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
    const { retry, mutates } = rpcPolicyFor(service, method.name);
    info = {
      path: `/${service}/${method.name}`,
      name: `${service}/${method.name}`,
      policy: retry,
      mutates,
    };
    cache.set(method, info);
  }
  return info;
}
