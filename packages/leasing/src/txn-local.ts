import type { AnyOpResult, TxnOp, TxnResult } from "@etcdkit/kv";
import { TxnResultRecord } from "@etcdkit/kv/internal";
import type { ResponseHeader } from "@etcdkit/transport";
import { evaluateComparison, readValue } from "./cached-read.js";
import { keyId } from "./key-bytes.js";
import type { KeyState } from "./key-state.js";
import type { LeasingContext } from "./leasing-context.js";

/**
 * Answers a txn from the cache when that gives exactly etcd's answer: the session's lease is
 * provably alive, every comparison is on one cached key, and the branch the comparisons select
 * holds only single-key reads of cached keys at the current revision. Every key involved must be
 * servable, i.e. also have no write of this client in flight (Go's cache waited for writes to the
 * read keys only, not to the compared ones). Returns undefined when the txn must go to etcd.
 *
 * The result's `revision` is, as for every cache hit, the newest revision this client has seen;
 * each read's `header` is the header of the answer that put its key's value in the cache, and the
 * txn's the newest of those of every key it involves. A txn that involves no key at all goes to
 * etcd (there is no answer to report).
 *
 * @example
 * ```ts
 * const local = localTxn(context, txn);
 * if (local !== undefined) return local;
 * ```
 */
export function localTxn(context: LeasingContext, txn: TxnOp): TxnResult | undefined {
  const { cache } = context;
  if (cache.knownRevision === 0n || context.sessions.alive() === undefined) return undefined;
  let succeeded = true;
  let header: ResponseHeader | undefined;
  for (const comparison of txn.compares) {
    if (comparison.rangeEnd.length !== 0) return undefined;
    const state = cache.servable(keyId(comparison.key));
    if (state === undefined) return undefined;
    if (!evaluateComparison(comparison, state.value!)) succeeded = false;
    header = newer(header, state.header!);
  }
  const ops = succeeded ? txn.success : txn.failure;
  const states: KeyState[] = [];
  for (const o of ops) {
    if (o.type !== "get" || o.rangeEnd.length !== 0 || o.revision !== 0n || context.layout.touchesPrefix(o)) return undefined;
    const state = cache.servable(keyId(o.key));
    if (state === undefined) return undefined;
    states.push(state);
    header = newer(header, state.header!);
  }
  if (header === undefined) return undefined;
  const revision = cache.knownRevision;
  const responses: AnyOpResult[] = ops.map((o, i) => readValue(states[i]!.value!, revision, states[i]!.header!, o as Extract<typeof o, { type: "get" }>));
  return new TxnResultRecord(succeeded, header, revision, Object.freeze(responses)) as TxnResult;
}

function newer(a: ResponseHeader | undefined, b: ResponseHeader): ResponseHeader {
  return a === undefined || b.revision > a.revision ? b : a;
}
