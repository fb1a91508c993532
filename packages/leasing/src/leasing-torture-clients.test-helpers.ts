/**
 * Clients for the fault suite (`@etcdkit/torture`) over one shared leasing prefix: leasing
 * clients, whose single-key ops go through a leasing KV, and plain clients, whose single-key ops
 * go through a plain `@etcdkit/kv` KV and respect the leasing protocol (a plain write goes
 * through only while no leasing client owns the key, else it fails without being applied: it
 * never revokes). Everything else (watches, leases, list-append txns, locks) goes through the
 * suite's own SDK client. `mixedFactory()` alternates the two kinds, so every workload of a
 * scenario runs with both on the same keys.
 *
 * @example
 * const report = await runScenario(scenarioByName("pause"), { factory: mixedFactory(), durationMs: 10_000 });
 */
import { compare, createKV, op, type KV, type RangeResult, type TxnResult } from "@etcdkit/kv";
import { createSdkClient, type ClientFactory, type ClientFactoryOptions, type TortureClient } from "@etcdkit/torture";
import { createTransport, EtcdError, type EtcdTransport } from "@etcdkit/transport";
import { createLeasingKV, type LeasingKV } from "./index.js";

/**
 * What the leasing clients of a run did, summed: reads answered from their caches and by etcd.
 *
 * @example
 * const totals: LeasingTotals = { hits: 0, misses: 0 };
 */
export interface LeasingTotals {
  hits: number;
  misses: number;
}

/** The ownership prefix every client of a run shares. */
export const TORTURE_PREFIX = "leasing/";
/** Session TTL of the leasing clients: a cut-off owner holds writers up for at most this long. */
const TTL_SECONDS = 3;

function transportFor(endpoints: readonly string[], options: ClientFactoryOptions): EtcdTransport {
  return createTransport({
    endpoints: [...endpoints],
    dialTimeoutMs: 2000,
    keepAliveIntervalMs: 5000,
    keepAliveTimeoutMs: 3000,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.followMembership ? { autoSyncIntervalMs: 1000 } : {}),
  });
}

const text = (r: RangeResult): { value: string | null; modRevision: bigint } => {
  const item = r.kvs[0];
  return { value: item ? item.text() : null, modRevision: item?.modRevision ?? 0n };
};

/**
 * A client whose get, put, delete and cas go through a leasing KV (opened on first use, again
 * after a failure to open). A get or a failed cas answered from the cache is recorded with
 * `cached: true`: its `revision` is the newest this client has seen, a lower bound.
 */
export function createLeasingTortureClient(endpoints: readonly string[], options: ClientFactoryOptions, totals?: LeasingTotals): TortureClient {
  const sdk = createSdkClient({ endpoints, ...options });
  const transport = transportFor(endpoints, options);
  let opening: Promise<LeasingKV> | undefined;
  const leasing = (timeoutMs: number | undefined): Promise<LeasingKV> =>
    (opening ??= createLeasingKV(transport, TORTURE_PREFIX, { ttl: TTL_SECONDS, timeoutMs }).catch((err: unknown) => {
      opening = undefined;
      throw err;
    }));
  /** Runs a call and tells whether the leasing KV answered it from its cache (one call at a time per client). */
  const counted = async <T>(lkv: LeasingKV, call: () => Promise<T>): Promise<[T, boolean]> => {
    const before = lkv.stats.hits;
    const result = await call();
    const hit = lkv.stats.hits > before;
    if (totals !== undefined) totals[hit ? "hits" : "misses"]++;
    return [result, hit];
  };
  return {
    ...sdk,
    async get(key, o) {
      const lkv = await leasing(o?.timeoutMs);
      const [r, cached] = await counted(lkv, () => lkv.range(key, { serializable: o?.serializable === true, timeoutMs: o?.timeoutMs }));
      return { f: "get", ...text(r), revision: r.revision, ...(cached ? { cached: true } : {}) };
    },
    async put(key, value, o) {
      const lkv = await leasing(o?.timeoutMs);
      const r = await lkv.put(key, value, { timeoutMs: o?.timeoutMs, ...(o?.lease !== undefined ? { lease: o.lease } : {}) });
      return { f: "put", revision: r.revision };
    },
    async delete(key, o) {
      const lkv = await leasing(o?.timeoutMs);
      const r = await lkv.delete(key, { timeoutMs: o?.timeoutMs });
      return { f: "delete", revision: r.revision, deleted: r.deleted };
    },
    async cas(key, expect, value, o) {
      const lkv = await leasing(o?.timeoutMs);
      const guard = expect === null ? compare.missing(key) : compare.value(key, "=", expect);
      const [r, cached] = await counted(lkv, () => lkv.txn().if(guard).then(op.put(key, value)).else(op.get(key)).commit({ timeoutMs: o?.timeoutMs }));
      if (r.succeeded) return { f: "cas", succeeded: true, revision: r.revision };
      return { f: "cas", succeeded: false, revision: r.revision, ...text(r.responses[0]), ...(cached ? { cached: true } : {}) };
    },
    counters() {
      return { ...(sdk.counters?.() ?? {}) };
    },
    async close() {
      const lkv = await opening?.catch(() => undefined);
      await lkv?.close().catch(() => undefined);
      await transport.close();
      await sdk.close();
    },
  };
}

/** The error of a plain write refused because a leasing client owns the key (nothing was applied). */
function ownedError(key: string): EtcdError {
  return new EtcdError(`a leasing client owns ${key}: the plain write was not applied`, "locked");
}

/**
 * A client whose get is a plain linearizable (or serializable) read, and whose put, delete and cas
 * are plain txns guarded by `createRevision(prefix + key) = 0`: applied only while no leasing
 * client owns the key, else refused ("locked", not applied).
 */
export function createPlainTortureClient(endpoints: readonly string[], options: ClientFactoryOptions): TortureClient {
  const sdk = createSdkClient({ endpoints, ...options });
  const transport = transportFor(endpoints, options);
  const kv: KV = createKV(transport);
  const unowned = (key: string) => compare.createRevision(`${TORTURE_PREFIX}${key}`, "=", 0n);
  return {
    ...sdk,
    async get(key, o) {
      const r = await kv.range(key, { serializable: o?.serializable === true, timeoutMs: o?.timeoutMs });
      return { f: "get", ...text(r), revision: r.revision };
    },
    async put(key, value, o) {
      const put = op.put(key, value, o?.lease !== undefined ? { lease: o.lease } : undefined);
      const r = await kv.txn().if(unowned(key)).then(put).commit({ timeoutMs: o?.timeoutMs });
      if (!r.succeeded) throw ownedError(key);
      return { f: "put", revision: r.revision };
    },
    async delete(key, o) {
      const r = await kv.txn().if(unowned(key)).then(op.delete(key)).commit({ timeoutMs: o?.timeoutMs });
      if (!r.succeeded) throw ownedError(key);
      return { f: "delete", revision: r.revision, deleted: (r.responses[0] as { deleted: number }).deleted };
    },
    async cas(key, expect, value, o) {
      const guard = expect === null ? compare.missing(key) : compare.value(key, "=", expect);
      const inner = op.txn({ if: [guard], then: [op.put(key, value)], else: [op.get(key)] });
      const r = await kv.txn().if(unowned(key)).then(inner).commit({ timeoutMs: o?.timeoutMs });
      if (!r.succeeded) throw ownedError(key);
      const result = r.responses[0] as TxnResult;
      if (result.succeeded) return { f: "cas", succeeded: true, revision: r.revision };
      return { f: "cas", succeeded: false, revision: r.revision, ...text(result.responses[0] as RangeResult) };
    },
    async close() {
      await transport.close();
      await sdk.close();
    },
  };
}

/**
 * A ClientFactory for runScenario that alternates leasing and plain clients (the first one made
 * is a leasing client), for every workload; `counts` tells how many of each it made.
 */
export function mixedFactory(): ClientFactory & { readonly counts: { leasing: number; plain: number }; readonly totals: LeasingTotals } {
  const counts = { leasing: 0, plain: 0 };
  const totals: LeasingTotals = { hits: 0, misses: 0 };
  let n = 0;
  const factory = ((endpoints, options) => {
    const leasingClient = n++ % 2 === 0;
    if (leasingClient) counts.leasing++;
    else counts.plain++;
    return leasingClient ? createLeasingTortureClient(endpoints, options, totals) : createPlainTortureClient(endpoints, options);
  }) as ClientFactory & { counts: { leasing: number; plain: number }; totals: LeasingTotals };
  factory.counts = counts;
  factory.totals = totals;
  return factory;
}
