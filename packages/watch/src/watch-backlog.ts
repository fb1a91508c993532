import type { Event } from "@etcdkit/api/mvccpb/kv_pb";
import type { EtcdError } from "@etcdkit/transport";
import type { WatchBatch } from "./watch-event.js";
import type { QueueLimits } from "./watch-options.js";

/**
 * What a watch holds besides its request, only while it holds anything (most watches idle
 * without one): the batches its consumer has not read, within its bound; the fragments of a
 * revision etcd split over several responses; and the error the watch ended with.
 *
 * @example
 * ```ts
 * const backlog = new WatchBacklog();
 * if (!backlog.offer(batch, limits)) fail(slowConsumerError(from, limits));
 * const next = backlog.dequeue();
 * ```
 */
export class WatchBacklog {
  /** Batches not read yet, from `head` on; undefined when none. */
  queue: WatchBatch[] | undefined = undefined;
  head = 0;
  /** Events (a progress batch counts as one) and bytes of keys and values in the queue. */
  queuedEvents = 0;
  queuedBytes = 0;
  /** The events of a split revision received so far. */
  fragments: Event[] | undefined = undefined;
  /** The error the watch ended with. */
  error: EtcdError | undefined = undefined;
  /** The error was handed to the consumer (it is handed over once). */
  errorDelivered = false;

  /** Holds nothing: the watch can drop it. */
  get empty(): boolean {
    return this.queue === undefined && this.fragments === undefined && this.error === undefined;
  }

  /**
   * Queues `batch` unless that would pass `limits` with something queued already (a single batch
   * larger than the bound is accepted when nothing is queued). Returns false when refused.
   */
  offer(batch: WatchBatch, limits: QueueLimits): boolean {
    const events = weight(batch);
    const bytes = batchBytes(batch);
    if (this.queue !== undefined && (this.queuedEvents + events > limits.events || this.queuedBytes + bytes > limits.bytes)) return false;
    (this.queue ??= []).push(batch);
    this.queuedEvents += events;
    this.queuedBytes += bytes;
    return true;
  }

  /** The oldest queued batch (call only while `queue` is defined). */
  dequeue(): WatchBatch {
    const queue = this.queue!;
    const value = queue[this.head]!;
    queue[this.head] = undefined as unknown as WatchBatch;
    if (++this.head === queue.length) {
      this.clearQueue();
    } else {
      this.queuedEvents -= weight(value);
      this.queuedBytes -= batchBytes(value);
    }
    return value;
  }

  /** Drops every queued batch. */
  clearQueue(): void {
    this.queue = undefined;
    this.head = 0;
    this.queuedEvents = 0;
    this.queuedBytes = 0;
  }
}

/** What a queued batch counts against `maxQueuedEvents`: its events, or one for a progress batch. */
function weight(batch: WatchBatch): number {
  return batch.events.length === 0 ? 1 : batch.events.length;
}

/** What a queued batch counts against `maxQueuedBytes`: its keys and values (previous ones too). */
function batchBytes(batch: WatchBatch): number {
  let bytes = 0;
  for (const e of batch.events) {
    bytes += e.kv.key.length + e.kv.value.length;
    if (e.prevKv !== undefined) bytes += e.prevKv.key.length + e.prevKv.value.length;
  }
  return bytes;
}
