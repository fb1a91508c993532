import { createMutex, createSession } from "@etcdkit/concurrency";
import { compare, createKV, op, type GetOp, type PutOp } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { bytesToText, createTransport, monotonicNow, type KeyValue } from "@etcdkit/transport";
import { createGatewayTransport } from "@etcdkit/transport/gateway";
import { createWatch, type WatchEvent, type WatchOptions } from "@etcdkit/watch";
import type { Transport } from "@connectrpc/connect";
import type { RecordedBatch, RecordedEvent, WatchRequest } from "../history/types.js";
import type { ClientFactoryOptions, TortureClient, TortureKeyValue, TortureLease, TortureWatch } from "./torture-client.js";

/**
 * Options of createSdkClient.
 *
 * @example
 * ```ts
 * const options: SdkClientOptions = { endpoints: cluster.endpoints, dialTimeoutMs: 2000 };
 * ```
 */
export interface SdkClientOptions extends ClientFactoryOptions {
  readonly endpoints: readonly string[];
  /** "grpc" (default): `createTransport`; "gateway": `createGatewayTransport` (etcd's JSON gateway over fetch). */
  readonly transport?: "grpc" | "gateway";
  /** Default 2000: a dead member is given up on quickly. */
  readonly dialTimeoutMs?: number;
  /** HTTP/2 ping cadence (default 5000, etcd's minimum). */
  readonly keepAliveIntervalMs?: number;
}

/**
 * A TortureClient on etcdkit: one transport — `createTransport` (gRPC over node:http2) or
 * `createGatewayTransport` (etcd's JSON gateway over fetch) — with `@etcdkit/kv`,
 * `@etcdkit/watch`, `@etcdkit/lease` and `@etcdkit/concurrency` (lock sessions) on it. This module is the only one that calls the SDK's
 * data-path API, so changes to the SDK land here.
 *
 * @example
 * ```ts
 * const client = createSdkClient({ endpoints: cluster.endpoints });
 * await client.put("r/0", "c0-1");
 * await client.close();
 * ```
 */
export function createSdkClient(options: SdkClientOptions): TortureClient {
  const transport: Transport & { close(): Promise<void>; readonly stats?: { calls: number; retries: number; authentications: number } } =
    options.transport === "gateway"
      ? createGatewayTransport({ endpoints: options.endpoints, ...(options.auth ? { auth: options.auth } : {}) })
      : createTransport({
          endpoints: options.endpoints,
          dialTimeoutMs: options.dialTimeoutMs ?? 2000,
          keepAliveIntervalMs: options.keepAliveIntervalMs ?? 5000,
          keepAliveTimeoutMs: 3000,
          ...(options.auth ? { auth: options.auth } : {}),
          ...(options.followMembership ? { autoSyncIntervalMs: 1000 } : {}),
        });
  const kv = createKV(transport);
  const watcher = createWatch(transport);
  const leases = createLease(transport);

  return {
    async get(key, o) {
      const r = await kv.range(key, { serializable: o?.serializable === true, timeoutMs: o?.timeoutMs });
      const item = r.kvs[0];
      return { f: "get", value: item ? item.text() : null, modRevision: item?.modRevision ?? 0n, revision: r.revision };
    },
    async put(key, value, o) {
      const r = await kv.put(key, value, { timeoutMs: o?.timeoutMs, ...(o?.lease !== undefined ? { lease: o.lease } : {}) });
      return { f: "put", revision: r.revision };
    },
    async delete(key, o) {
      const r = await kv.delete(key, { timeoutMs: o?.timeoutMs });
      return { f: "delete", revision: r.revision, deleted: r.deleted };
    },
    async cas(key, expect, value, o) {
      const guard = expect === null ? compare.missing(key) : compare.value(key, "=", expect);
      const r = await kv.txn().if(guard).then(op.put(key, value)).else(op.get(key)).commit({ timeoutMs: o?.timeoutMs });
      if (r.succeeded) return { f: "cas", succeeded: true, revision: r.revision };
      const item = r.responses[0].kvs[0];
      return { f: "cas", succeeded: false, revision: r.revision, value: item ? item.text() : null, modRevision: item?.modRevision ?? 0n };
    },
    async readPrefix(prefix, o) {
      const r = await kv.getPrefix(prefix, { timeoutMs: o?.timeoutMs });
      return { revision: r.revision, kvs: r.kvs.map(toKeyValue) };
    },
    async guardedWrite(guards, reads, puts, o) {
      const ops: (GetOp | PutOp)[] = [...reads.map((k) => op.get(k)), ...puts.map((p) => op.put(p.key, p.value))];
      const r = await kv
        .txn()
        .if(...guards.map((g) => compare.modRevision(g.key, "=", g.modRevision)))
        .then(...ops)
        .commit({ timeoutMs: o?.timeoutMs });
      const values = new Map<string, string | null>();
      if (r.succeeded) {
        reads.forEach((key, i) => {
          const result = r.responses[i] as { kvs: readonly KeyValue[] };
          values.set(key, result.kvs[0] ? result.kvs[0].text() : null);
        });
      }
      return { succeeded: r.succeeded, revision: r.revision, reads: values };
    },
    watch: (request) => startWatch(watcher, request),
    async grant(ttl, o) {
      const lease = await leases.grant(ttl, { timeoutMs: o?.timeoutMs });
      const renewals = lease.keepAlive();
      const handle: TortureLease = {
        id: lease.id,
        ttl: lease.ttl,
        renewals: (async function* () {
          for await (const _ of renewals) yield;
        })(),
        lost: lease.lost.then((loss) => ({ reason: loss.reason })),
        release: () => lease.release(),
        revoke: async (r) => {
          await lease.revoke({ timeoutMs: r?.timeoutMs });
        },
      };
      return handle;
    },
    async lockSession(ttl) {
      const session = await createSession(transport, { ttl });
      return {
        lost: session.lost.then((loss) => ({ reason: loss.reason })),
        async lock(name, o) {
          const held = await createMutex(session, name).lock({ timeoutMs: o?.timeoutMs });
          return {
            token: held.revision,
            acquiredAt: held.acquiredAt,
            async guardedPut(key, value, p) {
              const r = await kv.txn().if(held.isOwner()).then(op.put(key, value)).commit({ timeoutMs: p?.timeoutMs });
              return { succeeded: r.succeeded, revision: r.revision };
            },
            async unlock(u) {
              await held.unlock({ timeoutMs: u?.timeoutMs });
            },
          };
        },
        close: () => session.close({ timeoutMs: 3000 }).catch(() => undefined),
      };
    },
    counters() {
      const t = transport.stats;
      return {
        ...(t ? { calls: t.calls, retries: t.retries, authentications: t.authentications } : {}),
        watchStreams: watcher.stats.streamsOpened,
        keepAliveStreams: leases.stats.streamsOpened,
      };
    },
    async close() {
      await watcher.close();
      await leases.close();
      await transport.close();
    },
  };
}

function startWatch(watcher: ReturnType<typeof createWatch>, request: WatchRequest): TortureWatch {
  const options = {
    ...(request.prefix ? { prefix: true } : request.fromKey ? { fromKey: true } : request.end !== undefined ? { end: request.end } : {}),
    ...(request.startRevision !== undefined ? { startRevision: request.startRevision } : {}),
    prevKv: request.prevKv === true,
    noPut: request.noPut === true,
    noDelete: request.noDelete === true,
    progressNotify: request.progressNotify === true,
  } as WatchOptions;
  const watch = watcher.watch(request.key, options);
  const batches = (async function* (): AsyncGenerator<RecordedBatch> {
    for await (const batch of watch) {
      yield {
        at: monotonicNow(),
        revision: batch.revision,
        progress: batch.progress,
        stream: watcher.stats.streamsOpened,
        events: batch.events.map(toRecordedEvent),
      };
    }
  })();
  return {
    ready: watch.ready,
    batches,
    get nextRevision() {
      return watch.nextRevision;
    },
    cancel: () => watch.cancel(),
  };
}

function toRecordedEvent(e: WatchEvent): RecordedEvent {
  return {
    type: e.type,
    key: e.kv.keyText(),
    value: e.kv.text(),
    modRevision: e.kv.modRevision,
    createRevision: e.kv.createRevision,
    version: e.kv.version,
    isCreate: e.isCreate,
    ...(e.prevKv !== undefined ? { prevValue: e.prevKv.text(), prevModRevision: e.prevKv.modRevision } : {}),
  };
}

function toKeyValue(kv: KeyValue): TortureKeyValue {
  return { key: bytesToText(kv.key), value: kv.text(), modRevision: kv.modRevision, createRevision: kv.createRevision, version: kv.version };
}
