/**
 * The request side of a bidi stream: an async iterable fed by `push()`, ended by `end()`.
 * It can be iterated once; items pushed after `end()` are dropped. No allocation per item beyond
 * the array slot, so thousands of creates can be queued cheaply.
 *
 * @example
 * ```ts
 * const requests = new RequestQueue<WatchRequestInit>();
 * const responses = client.watch(requests, { signal });
 * requests.push({ requestUnion: { case: "progressRequest", value: {} } });
 * requests.end();
 * ```
 */
export class RequestQueue<T> implements AsyncIterable<T>, AsyncIterator<T> {
  private items: T[] = [];
  private head = 0;
  private ended = false;
  private waiter: ((result: IteratorResult<T>) => void) | undefined = undefined;

  /** Queues one request; a no-op once the queue ended. */
  push(item: T): void {
    if (this.ended) return;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter({ value: item, done: false });
      return;
    }
    this.items.push(item);
  }

  /** Ends the request side: the iteration finishes once the queued items are consumed. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.items = [];
    this.head = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head]!;
      this.items[this.head] = undefined as T;
      this.head++;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the queue (Connect's transports require iterators that implement `throw`). */
  throw(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this;
  }
}
