import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { canceledError } from "../call/call-errors.js";
import { invalidArgumentError } from "../errors/client-errors.js";
import type { EtcdError } from "../errors/etcd-error.js";

/** Received messages buffered before the stream is paused (HTTP/2 flow control then holds the server back). */
export const HIGH_WATER_MESSAGES = 32;

/**
 * What the consumer side of a streaming call needs from the call.
 *
 * @example
 * ```ts
 * const control: MessageControl<typeof WatchResponseSchema> = { decode, pause: () => stream.pause(), resume: () => stream.resume(), cancel };
 * ```
 */
export interface MessageControl<O extends DescMessage> {
  /** Decodes one message body; throws (after failing the call) when it cannot. */
  decode(body: Uint8Array): MessageShape<O>;
  /** Stops reading from the stream (flow control). */
  pause(): void;
  /** Reads from the stream again. */
  resume(): void;
  /** Ends the call early with `error` (the consumer stopped). */
  cancel(error: EtcdError): void;
}

/**
 * The consumer side of a streaming call: received message bodies wait here (decoded only when
 * pulled), one `next()` at a time is served, the stream is paused while HIGH_WATER_MESSAGES wait
 * unread and resumed at half that, and once the call is over the consumer gets the messages
 * received before, then the final error (once) or the end. `return()` ends the call early.
 *
 * @example
 * ```ts
 * const messages = new StreamMessages(control);
 * stream.on("data", (chunk) => messages.received(reader.push(chunk)));
 * stream.on("close", () => messages.finish(finalError));
 * for await (const message of { [Symbol.asyncIterator]: () => messages }) handle(message);
 * ```
 */
export class StreamMessages<O extends DescMessage> implements AsyncIterator<MessageShape<O>> {
  /** The consumer returned early: whatever happens next is not an error for it. */
  consumerDone = false;
  /** The call is over (`finish` was called). */
  finished = false;
  private readonly bodies: Uint8Array[] = [];
  private waiting: { resolve: (r: IteratorResult<MessageShape<O>>) => void; reject: (e: unknown) => void } | undefined = undefined;
  private paused = false;
  private finalError: EtcdError | undefined = undefined;
  private errorDelivered = false;
  private readonly control: MessageControl<O>;

  constructor(control: MessageControl<O>) {
    this.control = control;
  }

  /** Message bodies read from the stream. */
  received(bodies: readonly Uint8Array[]): void {
    for (const body of bodies) this.bodies.push(body);
    if (this.bodies.length >= HIGH_WATER_MESSAGES && !this.paused) {
      this.paused = true;
      this.control.pause();
    }
    this.deliver();
  }

  /** The call is over, with `error` if it failed. */
  finish(error: EtcdError | undefined): void {
    this.finished = true;
    this.finalError = error;
    this.deliver();
  }

  next(): Promise<IteratorResult<MessageShape<O>>> {
    if (this.waiting !== undefined) {
      return Promise.reject(invalidArgumentError("stream response: next() called before the previous next() settled"));
    }
    return new Promise<IteratorResult<MessageShape<O>>>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  return(): Promise<IteratorResult<MessageShape<O>>> {
    this.consumerDone = true;
    this.bodies.length = 0;
    if (!this.finished) this.control.cancel(canceledError("stream closed by its consumer"));
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Serves a waiting `next()`: the oldest message, else (once over) the error or the end. */
  private deliver(): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    if (this.bodies.length > 0) {
      this.waiting = undefined;
      try {
        waiting.resolve({ value: this.control.decode(this.bodies.shift()!), done: false });
      } catch (err) {
        waiting.reject(err);
      }
      if (this.paused && this.bodies.length < HIGH_WATER_MESSAGES / 2 && !this.finished) {
        this.paused = false;
        this.control.resume();
      }
      return;
    }
    if (!this.finished) return;
    this.waiting = undefined;
    if (this.finalError !== undefined && !this.errorDelivered) {
      this.errorDelivered = true;
      waiting.reject(this.finalError);
    } else {
      waiting.resolve({ value: undefined, done: true });
    }
  }
}
