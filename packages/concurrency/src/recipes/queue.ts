import type { Transport } from "@connectrpc/connect";
import { compare, createKV, op, type KV } from "@etcdkit/kv";
import { isBytes, type Bytes, type KeyValue, type Revision } from "@etcdkit/transport";
import { checkTransport, invalidArgumentError } from "@etcdkit/transport/internal";
import { createWatch, type Watcher } from "@etcdkit/watch";
import { checkName } from "../arguments.js";
import { WaitScope, type WaitOptions } from "../wait-scope.js";
import { createUniqueKey, type CreatedKey } from "./unique-key.js";
import { waitEventsIn } from "./wait-events.js";

/**
 * An item taken off a queue: its key-value as it was enqueued and the revision of the delete that
 * claimed it for this consumer (claims happen in queue order).
 *
 * @example
 * ```ts
 * const item = await queue.dequeue();
 * console.log(item.kv.text(), item.claimRevision);
 * ```
 */
export interface QueueItem {
  readonly kv: KeyValue;
  readonly claimRevision: Revision;
}

/**
 * A multi-producer, multi-consumer FIFO queue (Go's recipe `Queue`). Items are keys under
 * `<prefix>/`; FIFO order is their create revision. A consumer claims an item by deleting it
 * only if it is unchanged (one winner per item); `dequeue()` blocks while the queue is empty.
 *
 * Delivery is at most once: a claim whose outcome is unknown (the connection broke after it was
 * sent) fails with `outcomeUnknown: true`, and the item may be gone.
 *
 * @example
 * ```ts
 * const queue = createQueue(transport, "queues/jobs");
 * await queue.enqueue(JSON.stringify({ id: 1 }));
 * const item = await queue.dequeue({ signal });
 * console.log(item.kv.json());
 * ```
 */
export interface Queue {
  readonly prefix: string;
  /** Appends `value`. Resolves with the item's key and create revision (its place in line). */
  enqueue(value: Bytes, options?: WaitOptions): Promise<CreatedKey>;
  /**
   * Takes the oldest item, waiting while the queue is empty. Throws "deadline-exceeded" /
   * "canceled" when `timeoutMs` / `signal` end the wait, and the transport's errors.
   */
  dequeue(options?: WaitOptions): Promise<QueueItem>;
}

/**
 * Creates a Queue under `prefix`. Throws "invalid-argument" (before any I/O) for a non-transport
 * or an empty prefix.
 *
 * @example
 * ```ts
 * const queue = createQueue(transport, "queues/jobs");
 * ```
 */
export function createQueue(transport: Transport, prefix: string): Queue {
  checkTransport(transport, "createQueue");
  checkName(prefix, "createQueue");
  return new QueueImpl(createKV(transport), createWatch(transport), prefix);
}

/** Items read per claim round: a consumer that loses the first item tries the next ones without another read. */
const CLAIM_BATCH = 8;

class QueueImpl implements Queue {
  constructor(
    private readonly kv: KV,
    private readonly watcher: Watcher,
    readonly prefix: string,
  ) {}

  async enqueue(value: Bytes, options?: WaitOptions): Promise<CreatedKey> {
    if (!isBytes(value)) throw invalidArgumentError("enqueue: the value must be a string or a Uint8Array");
    using scope = WaitScope.open(options, "enqueue");
    try {
      return await createUniqueKey(this.kv, this.prefix, value, 0n, scope);
    } catch (err) {
      throw scope.error(err);
    }
  }

  async dequeue(options?: WaitOptions): Promise<QueueItem> {
    using scope = WaitScope.open(options, "dequeue");
    try {
      return await takeFirst(this.kv, this.watcher, `${this.prefix}/`, { target: "createRevision" }, scope);
    } catch (err) {
      throw scope.error(err);
    }
  }
}

/**
 * Claims the first item under `range` in `order` (create revision for a FIFO queue, key for the
 * priority queue), waiting for a put while there is none.
 *
 * @example
 * ```ts
 * const item = await takeFirst(kv, watcher, "queues/jobs/", { target: "createRevision" }, scope);
 * ```
 */
export async function takeFirst(kv: KV, watcher: Watcher, range: string, order: { target: "createRevision" | "key" }, scope: WaitScope): Promise<QueueItem> {
  for (;;) {
    const read = await kv.range(range, { prefix: true, sort: { target: order.target, order: "ascend" }, limit: CLAIM_BATCH, ...scope.callOptions() });
    for (const item of read.kvs) {
      const claimed = await claim(kv, item, scope);
      if (claimed !== undefined) return claimed;
    }
    if (read.kvs.length > 0) continue; // all taken by others, or more beyond the batch
    const event = await waitEventsIn(watcher, range, { startRevision: read.revision + 1n, events: ["put"], prefix: true }, scope);
    const claimed = await claim(kv, event.kv, scope);
    if (claimed !== undefined) return claimed;
  }
}

/** Deletes `item` if it is unchanged (Go's `deleteRevKey`): the one consumer whose delete applies owns it. */
async function claim(kv: KV, item: KeyValue, scope: WaitScope): Promise<QueueItem | undefined> {
  const key = item.keyText();
  const result = await kv.txn().if(compare.modRevision(key, "=", item.modRevision)).then(op.delete(key)).commit(scope.callOptions());
  return result.succeeded ? { kv: item, claimRevision: result.revision } : undefined;
}
