import type { Transport } from "@connectrpc/connect";
import { createKV, type AnyOpResult, type CallOptions, type KV, type Op, type OpResult } from "@etcdkit/kv";
import { buildKV } from "@etcdkit/kv/internal";
import { MAX_TIMER_MS, monotonicNow, type Revision } from "@etcdkit/transport";
import {
  canAddressMembers,
  checkCallOptions,
  checkTransport,
  invalidArgumentError,
  typeName,
} from "@etcdkit/transport/internal";
import { switchEndpointPolicy, type OrderViolationHandler } from "./order-violation.js";

/**
 * Options of {@link createOrderingKV}.
 *
 * @example
 * ```ts
 * const options: OrderingOptions = { onViolation: (v) => { metrics.staleReads++; switchEndpointPolicy(v); } };
 * ```
 */
export interface OrderingOptions {
  /** What to do after a stale answer (default {@link switchEndpointPolicy}: retry elsewhere, at most 5 × endpoints times). */
  readonly onViolation?: OrderViolationHandler;
}

/**
 * A KV that never goes back in time (see {@link createOrderingKV}).
 *
 * @example
 * ```ts
 * const kv: OrderingKV = createOrderingKV(transport);
 * console.log(kv.revision); // the highest revision seen so far
 * ```
 */
export interface OrderingKV extends KV {
  /** The highest revision this KV has seen in any answer (0n before the first). */
  readonly revision: Revision;
}

/**
 * etcd's KV with Go's `ordering` guarantee: it remembers the highest revision seen in any answer
 * (reads, writes, txns, compactions) and refuses an answer to a read or txn that is older than
 * what it had seen when the call started. Such answers come from serializable reads
 * (`serializable: true`), which a member serves from its own state without asking the leader: a
 * lagging or partitioned follower answers from the past. Linearizable reads never violate.
 *
 * On a stale answer it calls `onViolation` (default: Go's policy, {@link switchEndpointPolicy})
 * and retries on the next of the transport's endpoints (`transport.forEndpoint`, endpoint after
 * endpoint), so that one stale member does not answer twice in a row; with a transport that
 * cannot address members (e.g. Connect's own) it retries through the transport. The handler
 * throws to give up; the default gives up after 5 × endpoints stale answers in one call with
 * EtcdError "unavailable" ({@link noGreaterRevisionError}).
 *
 * `timeoutMs` bounds the whole call, retries included; without it each attempt gets the
 * transport's default deadline. Throws "invalid-argument" at once for a transport that is not
 * one or an `onViolation` that is not a function; its calls throw what `createKV`'s throw.
 *
 * @example
 * ```ts
 * const kv = createOrderingKV(transport);
 * await kv.put("config", "v2");                                   // seen: its revision
 * const { kv: config } = await kv.get("config", { serializable: true }); // never older than that put
 * ```
 */
export function createOrderingKV(transport: Transport, options?: OrderingOptions): OrderingKV {
  checkTransport(transport, "createOrderingKV");
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw invalidArgumentError(`createOrderingKV: options must be an object, got ${typeName(options)}`);
  }
  const onViolation = options?.onViolation ?? switchEndpointPolicy;
  if (typeof onViolation !== "function") {
    throw invalidArgumentError(`createOrderingKV: onViolation must be a function, got ${typeName(onViolation)}`);
  }
  const balanced = createKV(transport);
  const byEndpoint = new Map<string, KV>();
  let highest = 0n;
  let cursor = 0;

  const seen = (revision: Revision): void => {
    if (revision > highest) highest = revision;
  };

  /** The KV of the next endpoint in turn, or the balanced one when the transport cannot address members. */
  const nextKV = (): { kv: KV; endpoints: number } => {
    if (!canAddressMembers(transport)) return { kv: balanced, endpoints: 1 };
    const urls = (transport as { endpoints?: readonly string[] }).endpoints;
    if (urls === undefined || urls.length === 0) return { kv: balanced, endpoints: 1 };
    const url = urls[cursor++ % urls.length]!;
    let kv = byEndpoint.get(url);
    if (kv === undefined) byEndpoint.set(url, (kv = createKV(transport.forEndpoint(url))));
    return { kv, endpoints: urls.length };
  };

  const kv = buildKV({
    async do<O extends Op>(operation: O, callOptions?: CallOptions): Promise<OpResult<O>> {
      checkCallOptions(callOptions);
      const checked = operation?.type === "get" || operation?.type === "txn";
      const previous = highest;
      const deadline = deadlineOf(callOptions?.timeoutMs);
      let target = balanced;
      for (let count = 1; ; count++) {
        const result = (await target.do(operation, attemptOptions(callOptions, deadline))) as AnyOpResult;
        if (!checked || result.revision >= previous) {
          seen(result.revision);
          return result as OpResult<O>;
        }
        const next = nextKV();
        await onViolation({ op: operation, result, revision: result.revision, previousRevision: previous, count, endpoints: next.endpoints });
        target = next.kv;
      }
    },
    async compact(revision, callOptions) {
      const result = await balanced.compact(revision, callOptions);
      seen(result.revision);
      return result;
    },
  });
  return Object.freeze(
    Object.defineProperty({ ...kv }, "revision", { get: () => highest, enumerable: true }) as OrderingKV,
  );
}

/** The monotonic deadline of a call's `timeoutMs` (undefined: none of its own). */
function deadlineOf(timeoutMs: number | undefined): number | undefined {
  if (timeoutMs === undefined || !(timeoutMs <= MAX_TIMER_MS)) return undefined;
  return monotonicNow() + timeoutMs;
}

/** The options of one attempt: what is left of the call's deadline (0 or less fails before I/O). */
function attemptOptions(options: CallOptions | undefined, deadline: number | undefined): CallOptions | undefined {
  if (deadline === undefined) return options;
  return { ...options, timeoutMs: deadline - monotonicNow() };
}
