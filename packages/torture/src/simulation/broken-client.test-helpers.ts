import { seededRandom } from "@etcdkit/testing";
import type { RecordedBatch, WatchRequest } from "../history/types.js";
import { createSdkClient } from "../sdk/sdk-client.js";
import type { ClientFactory, TortureClient, TortureLease, TortureWatch } from "../sdk/torture-client.js";

/**
 * Bugs a broken client has, each the kind a real SDK could have.
 */
export interface Bugs {
  /** Resends a put that succeeded, as a client retrying after a reset would (share of puts). */
  readonly resendPut?: number;
  /** Answers a linearizable get from its last answer for the key, without saying so (share of gets). */
  readonly staleGet?: number;
  /** Re-creates watches every few batches from last delivered + 2: one revision lost per "reconnect". */
  readonly dropOnReconnect?: boolean;
  /** Settles `lost` a whole TTL after the lease was lost. */
  readonly lateLost?: boolean;
}

/**
 * A ClientFactory of etcdkit clients with deliberate bugs, run against real etcd to show the
 * whole pipeline (recorder, log, checkers) catches them.
 */
export function brokenClientFactory(bugs: Bugs, seed = 7): ClientFactory {
  const random = seededRandom(seed);
  return (endpoints, options) => {
    const inner = createSdkClient({ endpoints, ...options });
    const lastGet = new Map<string, Awaited<ReturnType<TortureClient["get"]>>>();
    return {
      ...inner,
      async put(key, value, o) {
        const first = await inner.put(key, value, o);
        if (key.startsWith("r/") && random() < (bugs.resendPut ?? 0)) return inner.put(key, value, o);
        return first;
      },
      async get(key, o) {
        const cached = lastGet.get(key);
        if (cached !== undefined && o?.serializable !== true && random() < (bugs.staleGet ?? 0)) return cached;
        const result = await inner.get(key, o);
        lastGet.set(key, result);
        return result;
      },
      watch: (request) => (bugs.dropOnReconnect ? droppingWatch(inner, request) : inner.watch(request)),
      async grant(ttl, o) {
        const lease = await inner.grant(ttl, o);
        if (!bugs.lateLost) return lease;
        const late: TortureLease = {
          ...lease,
          lost: lease.lost.then((l) => new Promise((resolve) => setTimeout(() => resolve(l), lease.ttl * 1000))),
        };
        return late;
      },
    };
  };
}

/** A watch that "reconnects" every 3 batches and resumes one revision too far. */
function droppingWatch(inner: TortureClient, request: WatchRequest): TortureWatch {
  let current = inner.watch(request);
  let next = 0n;
  let canceled = false;
  const batches = (async function* (): AsyncGenerator<RecordedBatch> {
    let stream = 1;
    for (;;) {
      let count = 0;
      for await (const batch of current.batches) {
        next = batch.revision + 1n;
        yield { ...batch, stream };
        if (batch.events.length > 0 && ++count % 3 === 0) break;
      }
      if (canceled || count === 0) return;
      stream++;
      current = inner.watch({ ...request, startRevision: next + 1n });
    }
  })();
  return {
    ready: current.ready,
    batches,
    get nextRevision() {
      return next;
    },
    cancel() {
      canceled = true;
      current.cancel();
    },
  };
}
