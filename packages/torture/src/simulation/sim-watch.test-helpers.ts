import { seededRandom } from "@etcdkit/testing";
import { watchMatches } from "../checkers/key-range.js";
import type { RecordedBatch, RecordedEvent, WatchRecord, WatchRequest } from "../history/types.js";
import type { SimStore } from "./sim-store.test-helpers.js";

/** How a simulated watch client behaves across reconnects. */
export interface WatchSimOptions {
  readonly seed: number;
  readonly request: WatchRequest;
  /** Revision the watch was created at, for a request without startRevision. */
  readonly created?: bigint;
  /** A reconnect after this many batches (0: never). */
  readonly reconnectEvery?: number;
  /** Broken: after a reconnect, the first event is lost (resumed at last + 2). */
  readonly dropOnReconnect?: boolean;
  /** Broken: after a reconnect, resumes at the last delivered revision (not + 1). */
  readonly redeliverOnReconnect?: boolean;
  /** Broken: a multi-event revision is split over two batches. */
  readonly splitRevisions?: boolean;
  /** Broken: prevKv of every event is the key's state two changes back. */
  readonly wrongPrevKv?: boolean;
  /** Progress notifications every this many batches (0: none). */
  readonly progressEvery?: number;
}

/**
 * Delivers the store's log to a simulated watch: revisions in order, grouped into batches of 1–3
 * revisions, on a stream that is re-opened every `reconnectEvery` batches; the broken options
 * make it behave as a buggy client would.
 */
export function simulateWatch(store: SimStore, options: WatchSimOptions, id = 100): WatchRecord {
  const random = seededRandom(options.seed);
  const request = options.request;
  const from = request.startRevision ?? (options.created ?? 1n) + 1n;
  const batches: RecordedBatch[] = [];
  let stream = 1;
  let next = from;
  let count = 0;
  let lastDelivered = from - 1n;
  const eventsOf = (r: bigint): RecordedEvent[] =>
    (store.log.get(r) ?? []).filter((e) => watchMatches(request, e)).map((e) => withPrevKv(store, e, request, options));
  while (next <= store.revision) {
    const span = 1n + BigInt(Math.floor(random() * 3));
    const events: RecordedEvent[] = [];
    let last = next - 1n;
    for (let r = next; r <= store.revision && r < next + span; r++) {
      events.push(...eventsOf(r));
      last = r;
    }
    next = last + 1n;
    if (events.length === 0) continue;
    if (options.splitRevisions && events.length > 1 && events[0]!.modRevision === events[1]!.modRevision) {
      batches.push({ at: count, revision: events[0]!.modRevision, progress: false, stream, events: [events[0]!] });
      batches.push({ at: count, revision: last, progress: false, stream, events: events.slice(1) });
    } else {
      batches.push({ at: count, revision: events[events.length - 1]!.modRevision, progress: false, stream, events });
    }
    lastDelivered = events[events.length - 1]!.modRevision;
    count++;
    if (options.progressEvery && count % options.progressEvery === 0) {
      batches.push({ at: count, revision: last, progress: true, stream, events: [] });
    }
    if (options.reconnectEvery && count % options.reconnectEvery === 0) {
      stream++;
      if (options.dropOnReconnect) {
        // The resume point skips one matching event.
        let r = lastDelivered + 1n;
        while (r <= store.revision && eventsOf(r).length === 0) r++;
        next = r + 1n;
      } else if (options.redeliverOnReconnect) {
        next = lastDelivered;
      } else {
        next = lastDelivered + 1n > next ? lastDelivered + 1n : next;
      }
    }
  }
  return {
    type: "watch",
    id,
    client: 1,
    request,
    invoke: 0,
    ...(request.startRevision === undefined ? { created: options.created ?? 1n } : {}),
    batches,
    end: { at: 1e9, how: "canceled", through: store.revision },
  };
}

function withPrevKv(store: SimStore, e: RecordedEvent, request: WatchRequest, options: WatchSimOptions): RecordedEvent {
  const { prevValue: _v, prevModRevision: _m, ...bare } = e;
  if (request.prevKv !== true) return bare;
  const before = store.stateAt(e.key, e.modRevision - (options.wrongPrevKv ? 2n : 1n));
  return before === null ? bare : { ...bare, prevValue: before.value, prevModRevision: before.modRevision };
}
