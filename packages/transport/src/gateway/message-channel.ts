import type { EtcdError } from "../errors/etcd-error.js";

/**
 * The messages of a stream as an async iterable with one consumer: pushed by the transport,
 * buffered until read, ended once (by `end()`, `fail(error)`, or the consumer leaving the loop).
 * `onClose` runs once when it ends, with the error if any (undefined when the consumer left or it
 * ended normally).
 *
 * @example
 * ```ts
 * const channel = new MessageChannel<string>(() => controller.abort());
 * channel.push("a");
 * channel.end();
 * for await (const m of channel) console.log(m); // "a"
 * ```
 */
export class MessageChannel<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private error: EtcdError | undefined = undefined;
  private ended = false;
  private wake: (() => void) | undefined = undefined;
  private iterating = false;

  constructor(private readonly onClose: (error: EtcdError | undefined) => void) {}

  /** True once the stream ended (its last messages may still be buffered). */
  get done(): boolean {
    return this.ended;
  }

  push(message: T): void {
    if (this.ended) return;
    this.queue.push(message);
    this.notify();
  }

  end(): void {
    this.close(undefined);
  }

  fail(error: EtcdError): void {
    this.close(error);
  }

  private close(error: EtcdError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.notify();
    this.onClose(error);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterating) throw new TypeError("a stream's messages can be read only once");
    this.iterating = true;
    return {
      next: async (): Promise<IteratorResult<T>> => {
        for (;;) {
          if (this.queue.length > 0) return { done: false, value: this.queue.shift()! };
          if (this.ended) {
            if (this.error !== undefined) throw this.error;
            return { done: true, value: undefined };
          }
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      },
      return: async (): Promise<IteratorResult<T>> => {
        this.queue.length = 0;
        this.close(undefined);
        return { done: true, value: undefined };
      },
    };
  }
}
