import type { Transport } from "@connectrpc/connect";
import { createKV, type KV } from "@etcdkit/kv";
import { isBytes, type Bytes } from "@etcdkit/transport";
import { checkTransport, invalidArgumentError } from "@etcdkit/transport/internal";
import { createWatch, type Watcher } from "@etcdkit/watch";
import { checkName } from "../arguments.js";
import { WaitScope, type WaitOptions } from "../wait-scope.js";
import { takeFirst, type QueueItem } from "./queue.js";
import { createSequentialKey, type CreatedKey } from "./unique-key.js";

/**
 * A multi-producer, multi-consumer priority queue (Go's recipe `PriorityQueue`): items with a
 * lower priority number come out first, FIFO within one priority. Items are keys
 * `<prefix>/<priority, 5 digits>/<sequence number>`; `dequeue()` blocks while the queue is empty.
 *
 * @example
 * ```ts
 * const queue = createPriorityQueue(transport, "queues/alerts");
 * await queue.enqueue("disk full", 0);
 * await queue.enqueue("slow query", 10);
 * console.log((await queue.dequeue()).kv.text()); // "disk full"
 * ```
 */
export interface PriorityQueue {
  readonly prefix: string;
  /** Adds `value` with `priority` (an integer from 0, first, to 65535). */
  enqueue(value: Bytes, priority: number, options?: WaitOptions): Promise<CreatedKey>;
  /** Takes the first item (lowest priority number, then oldest), waiting while there is none. */
  dequeue(options?: WaitOptions): Promise<QueueItem>;
}

/**
 * Creates a PriorityQueue under `prefix`. Throws "invalid-argument" (before any I/O) for a
 * non-transport or an empty prefix.
 *
 * @example
 * ```ts
 * const queue = createPriorityQueue(transport, "queues/alerts");
 * ```
 */
export function createPriorityQueue(transport: Transport, prefix: string): PriorityQueue {
  checkTransport(transport, "createPriorityQueue");
  checkName(prefix, "createPriorityQueue");
  return new PriorityQueueImpl(createKV(transport), createWatch(transport), prefix);
}

class PriorityQueueImpl implements PriorityQueue {
  constructor(
    private readonly kv: KV,
    private readonly watcher: Watcher,
    readonly prefix: string,
  ) {}

  async enqueue(value: Bytes, priority: number, options?: WaitOptions): Promise<CreatedKey> {
    if (!isBytes(value)) throw invalidArgumentError("enqueue: the value must be a string or a Uint8Array");
    if (typeof priority !== "number" || !Number.isInteger(priority) || priority < 0 || priority > 65_535) {
      throw invalidArgumentError(`enqueue: priority must be an integer from 0 to 65535, got ${String(priority)}`);
    }
    using scope = WaitScope.open(options, "enqueue");
    try {
      return await createSequentialKey(this.kv, `${this.prefix}/${String(priority).padStart(5, "0")}`, value, scope);
    } catch (err) {
      throw scope.error(err);
    }
  }

  async dequeue(options?: WaitOptions): Promise<QueueItem> {
    using scope = WaitScope.open(options, "dequeue");
    try {
      return await takeFirst(this.kv, this.watcher, `${this.prefix}/`, { target: "key" }, scope);
    } catch (err) {
      throw scope.error(err);
    }
  }
}
