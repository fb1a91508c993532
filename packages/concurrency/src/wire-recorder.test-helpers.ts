/**
 * A transport to a real etcd that records, in order, what a client puts on the wire and what the
 * watch stream brings back: unary requests (with the revisions their reads are pinned to), watch
 * creates and cancels, and watch events. Tests add their own marks ("acquired") to the same log,
 * so they can assert what happens between two points of a hand-off.
 *
 * @example
 * const wire = recordWire(cluster.endpoints);
 * await using transport = wire.transport;
 * await using session = await createSession(transport, { ttl: 10 });
 * wire.mark("acquired");
 * wire.log; // ["watch-create a/1", "event delete a/1 @7", "Txn @7", "acquired", ...]
 */
import type { Interceptor } from "@connectrpc/connect";
import { createTransport, type EtcdTransport } from "@etcdkit/transport";

export interface WireRecorder {
  readonly transport: EtcdTransport;
  readonly log: string[];
  mark(what: string): void;
}

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes ?? new Uint8Array());

/** The revisions the reads of a Range or Txn request are pinned to ("@7", "@7,7"; "" when none). */
function pinned(message: unknown): string {
  const m = message as { revision?: bigint; success?: { request: { case?: string; value?: { revision?: bigint } } }[] };
  const revisions = m.success !== undefined ? m.success.map((o) => (o.request.case === "requestRange" ? o.request.value?.revision : undefined)) : [m.revision];
  const set = revisions.filter((r): r is bigint => r !== undefined && r !== 0n);
  return set.length === 0 ? "" : ` @${set.join(",")}`;
}

/** Records the wire of a fresh transport to `endpoints` (the caller closes it). */
export function recordWire(endpoints: readonly string[]): WireRecorder {
  const log: string[] = [];
  const recorder: Interceptor = (next) => async (req) => {
    if (!req.stream) {
      log.push(`${req.method.name}${pinned(req.message)}`);
      return next(req);
    }
    if (req.method.name !== "Watch") return next(req);
    const requests = req.message as AsyncIterable<{ requestUnion: { case?: string; value?: { key?: Uint8Array; watchId?: bigint } } }>;
    const res = await next({
      ...req,
      message: (async function* () {
        for await (const m of requests) {
          const u = m.requestUnion;
          if (u.case === "createRequest") log.push(`watch-create ${text(u.value?.key)}`);
          if (u.case === "cancelRequest") log.push("watch-cancel");
          yield m;
        }
      })(),
    } as typeof req);
    if (!res.stream) return res;
    const responses = res.message as AsyncIterable<{ events: { type: number; kv?: { key: Uint8Array; modRevision: bigint } }[] }>;
    return {
      ...res,
      message: (async function* () {
        for await (const m of responses) {
          for (const e of m.events) log.push(`event ${e.type === 1 ? "delete" : "put"} ${text(e.kv?.key)} @${e.kv?.modRevision}`);
          yield m;
        }
      })(),
    } as typeof res;
  };
  const transport = createTransport({ endpoints: [...endpoints], dialTimeoutMs: 2_000, interceptors: [recorder] });
  return { transport, log, mark: (what) => void log.push(what) };
}
