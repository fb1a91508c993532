import type { LeaseId, Revision } from "@etcdkit/transport";

/**
 * One successful renewal of a lease.
 *
 * @example
 * ```ts
 * for await (const renewal of lease.keepAlive()) console.log(renewal.ttl, renewal.deadline - renewal.at);
 * ```
 */
export interface LeaseRenewal {
  readonly id: LeaseId;
  /** The TTL etcd renewed the lease for, in seconds. */
  readonly ttl: number;
  /** The store revision in the response header. */
  readonly revision: Revision;
  /** When the renewal was received, in ms on the monotonic clock (`monotonicNow()` from `@etcdkit/transport`). */
  readonly at: number;
  /**
   * The local deadline this renewal gives: when its request was sent + `ttl`, in ms on the
   * monotonic clock (so `deadline - at` is at most `ttl` seconds).
   */
  readonly deadline: number;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The renewals of a lease as an async iterable that keeps only the newest renewal not yet
 * consumed (a slow consumer skips to the latest state; nothing piles up). It ends when the lease
 * is lost (see `lease.lost` for why) or when the consumer stops.
 *
 * @example
 * ```ts
 * const renewals = new RenewalStream(() => subscribers.delete(renewals));
 * renewals.offer(renewal);
 * renewals.end();
 * ```
 */
export class RenewalStream implements AsyncIterableIterator<LeaseRenewal> {
  private latest: LeaseRenewal | undefined = undefined;
  private waiter: ((result: IteratorResult<LeaseRenewal>) => void) | undefined = undefined;
  private ended = false;

  constructor(private readonly onReturn: (stream: RenewalStream) => void) {}

  /** A new renewal: handed to a waiting consumer, or kept as the latest. */
  offer(renewal: LeaseRenewal): void {
    if (this.ended) return;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter({ value: renewal, done: false });
    } else {
      this.latest = renewal;
    }
  }

  /** No more renewals (the lease is lost); a kept renewal is still delivered. */
  end(): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(DONE);
  }

  next(): Promise<IteratorResult<LeaseRenewal>> {
    const latest = this.latest;
    if (latest !== undefined) {
      this.latest = undefined;
      return Promise.resolve({ value: latest, done: false });
    }
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<LeaseRenewal>> {
    this.latest = undefined;
    this.end();
    this.onReturn(this);
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
