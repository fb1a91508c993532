import { monotonicNow } from "@etcdkit/transport";
import { recordedError } from "../history/error-outcome.js";
import type { Recorder } from "../history/recorder.js";
import type { RecordedBatch, RecordedError, WatchRequest } from "../history/types.js";
import type { TortureClient } from "../sdk/torture-client.js";

/**
 * A watch being recorded: batches are written to the history as they arrive; the watch's own
 * record is written when it ends (canceled, or with an error).
 *
 * @example
 * ```ts
 * const watch = startRecordedWatch(recorder, clientId, client, { key: "r/", prefix: true });
 * await watch.ended;
 * ```
 */
export interface RecordedWatch {
  readonly id: number;
  readonly request: WatchRequest;
  /** The highest revision delivered (events or progress). */
  readonly lastRevision: bigint;
  /** Delivered events so far. */
  readonly events: number;
  /** Settles when the watch ended and its record was written. */
  readonly ended: Promise<void>;
  /** True once it ended. */
  readonly done: boolean;
  /** Called with each batch (after it was recorded). */
  onBatch: ((batch: RecordedBatch) => void) | undefined;
  /** Cancels it; `through`: the revision it must have delivered everything up to (end of run). */
  cancel(through?: bigint): void;
}

/**
 * Starts a watch on `client` and records it.
 *
 * @example
 * ```ts
 * const collector = startRecordedWatch(recorder, id, client, { key: "", prefix: true, startRevision: 1n }, true);
 * ```
 */
export function startRecordedWatch(recorder: Recorder, clientId: number, client: TortureClient, request: WatchRequest, collector = false): RecordedWatch {
  const id = recorder.nextId();
  const invoke = monotonicNow();
  const watch = client.watch(request);
  let created: bigint | undefined;
  watch.ready.then(
    (revision) => void (created = revision),
    () => undefined,
  );
  let lastRevision = 0n;
  let events = 0;
  let through: bigint | undefined;
  let done = false;
  const handle: RecordedWatch = {
    id,
    request,
    get lastRevision() {
      return lastRevision;
    },
    get events() {
      return events;
    },
    get done() {
      return done;
    },
    onBatch: undefined,
    ended: undefined as unknown as Promise<void>,
    cancel(at) {
      if (at !== undefined) through = at;
      watch.cancel();
    },
  };
  (handle as { ended: Promise<void> }).ended = (async () => {
    let error: RecordedError | undefined;
    try {
      for await (const batch of watch.batches) {
        if (batch.revision > lastRevision) lastRevision = batch.revision;
        events += batch.events.length;
        recorder.write({ type: "batch", watch: id, batch });
        handle.onBatch?.(batch);
      }
    } catch (err) {
      error = recordedError(err);
    }
    done = true;
    recorder.write({
      type: "watch",
      id,
      client: clientId,
      ...(collector ? { collector: true } : {}),
      request,
      invoke,
      ...(created !== undefined ? { created } : {}),
      batches: [],
      end: { at: monotonicNow(), how: error ? "error" : "canceled", ...(error ? { error } : {}), ...(through !== undefined ? { through } : {}) },
    });
  })();
  return handle;
}
