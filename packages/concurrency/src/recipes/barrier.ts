import type { Transport } from "@connectrpc/connect";
import { compare, createKV, op, type KV } from "@etcdkit/kv";
import { checkTransport, toEtcdError } from "@etcdkit/transport/internal";
import { createWatch, type Watcher } from "@etcdkit/watch";
import { checkName } from "../arguments.js";
import { WaitScope, type WaitOptions } from "../wait-scope.js";
import { waitEventsIn } from "./wait-events.js";

/**
 * A barrier (Go's recipe `Barrier`): `hold()` creates the barrier key, `wait()` blocks while it
 * exists, `release()` deletes it and so releases every waiter at once. The key is not bound to a
 * lease: a barrier stays held until released.
 *
 * @example
 * ```ts
 * const barrier = createBarrier(transport, "barriers/deploy");
 * await barrier.hold();
 * // elsewhere: await barrier.wait({ signal });
 * await barrier.release();
 * ```
 */
export interface Barrier {
  readonly key: string;
  /** Creates the barrier key. Resolves false when it was already held. */
  hold(options?: WaitOptions): Promise<boolean>;
  /** Deletes the barrier key, releasing every waiter. Resolves false when it was not held. */
  release(options?: WaitOptions): Promise<boolean>;
  /**
   * Resolves once the barrier is not held (at once when it is not). Throws "deadline-exceeded" /
   * "canceled" when `timeoutMs` / `signal` end the wait, and the transport's errors.
   */
  wait(options?: WaitOptions): Promise<void>;
}

/**
 * Creates a Barrier on `key`. Throws "invalid-argument" (before any I/O) for a non-transport or an
 * empty key.
 *
 * @example
 * ```ts
 * const barrier = createBarrier(transport, "barriers/deploy");
 * ```
 */
export function createBarrier(transport: Transport, key: string): Barrier {
  checkTransport(transport, "createBarrier");
  checkName(key, "createBarrier");
  return new BarrierImpl(createKV(transport), createWatch(transport), key);
}

class BarrierImpl implements Barrier {
  constructor(
    private readonly kv: KV,
    private readonly watcher: Watcher,
    readonly key: string,
  ) {}

  async hold(options?: WaitOptions): Promise<boolean> {
    using scope = WaitScope.open(options, "barrier.hold");
    try {
      const result = await this.kv.txn().if(compare.missing(this.key)).then(op.put(this.key, "")).commit(scope.callOptions());
      return result.succeeded;
    } catch (err) {
      throw scope.error(err);
    }
  }

  async release(options?: WaitOptions): Promise<boolean> {
    using scope = WaitScope.open(options, "barrier.release");
    try {
      return (await this.kv.delete(this.key, scope.callOptions())).deleted > 0;
    } catch (err) {
      throw scope.error(err);
    }
  }

  async wait(options?: WaitOptions): Promise<void> {
    using scope = WaitScope.open(options, "barrier.wait");
    let read;
    try {
      read = await this.kv.range(this.key, { keysOnly: true, ...scope.callOptions() });
    } catch (err) {
      throw scope.error(err);
    }
    if (read.kvs.length === 0) return;
    try {
      await waitEventsIn(this.watcher, this.key, { startRevision: read.revision + 1n, events: ["delete"] }, scope);
    } catch (err) {
      throw toEtcdError(err);
    }
  }
}
