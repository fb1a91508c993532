import type { KeyValue } from "@etcdkit/transport";
import { checkName, integerOption } from "../arguments.js";
import { barrierFullError } from "../errors.js";
import { checkSession } from "../mutex.js";
import { deleteOwnKey } from "../queue-key.js";
import type { Session } from "../session.js";
import { WaitScope, type WaitOptions } from "../wait-scope.js";
import { createUniqueKey, type CreatedKey } from "./unique-key.js";
import { waitEventsIn } from "./wait-events.js";

/**
 * A double barrier (Go's recipe `DoubleBarrier`): `enter()` blocks until `count` participants
 * have entered, `leave()` blocks until all of them have left. Participants' keys are attached to
 * their session's lease, so a participant that dies is removed when its lease expires and the
 * others can leave. Every wait ends at once with "session-expired" when the session ends.
 *
 * @example
 * ```ts
 * const barrier = createDoubleBarrier(session, "barriers/round-1", 5);
 * await barrier.enter({ timeoutMs: 30_000 });
 * // ... the computation all 5 do together ...
 * await barrier.leave({ timeoutMs: 30_000 });
 * ```
 */
export interface DoubleBarrier {
  readonly key: string;
  readonly count: number;
  /**
   * Enters and waits for `count` participants. Throws "barrier-full" when `count` participants
   * are in already, "session-expired", "deadline-exceeded" / "canceled", and transport errors.
   */
  enter(options?: WaitOptions): Promise<void>;
  /** Leaves and waits for every participant to leave. Throws as `enter`, except "barrier-full". */
  leave(options?: WaitOptions): Promise<void>;
}

/**
 * Creates a DoubleBarrier on `key` for `count` participants. Throws "invalid-argument" (before
 * any I/O) for a non-session, an empty key or a count that is not a positive integer.
 *
 * @example
 * ```ts
 * const barrier = createDoubleBarrier(session, "barriers/round-1", 5);
 * ```
 */
export function createDoubleBarrier(session: Session, key: string, count: number): DoubleBarrier {
  checkSession(session, "createDoubleBarrier");
  checkName(key, "createDoubleBarrier");
  return new DoubleBarrierImpl(session, key, integerOption(count, "createDoubleBarrier: count", 1, 1_000_000, 0));
}

class DoubleBarrierImpl implements DoubleBarrier {
  private mine: CreatedKey | undefined;

  constructor(
    private readonly session: Session,
    readonly key: string,
    readonly count: number,
  ) {}

  async enter(options?: WaitOptions): Promise<void> {
    using scope = WaitScope.open(options, "enter", this.session);
    try {
      if ((await this.waiters(scope)).length >= this.count) throw barrierFullError(this.key, this.count);
      const mine = await createUniqueKey(this.session.kv, `${this.key}/waiters`, "", this.session.leaseId, scope);
      this.mine = mine;
      const waiters = await this.waiters(scope);
      if (waiters.length >= this.count) {
        const last = waiters[this.count - 1]!;
        if (mine.revision > last.createRevision) {
          // Too late: leave at once rather than make the others wait for the lease to expire.
          await deleteOwnKey(this.session, mine.key, mine.revision, scope.callOptions());
          this.mine = undefined;
          throw barrierFullError(this.key, this.count);
        }
        if (mine.revision === last.createRevision) {
          await this.session.kv.put(`${this.key}/ready`, "", scope.callOptions()); // the last one in opens it
          return;
        }
      }
      await waitEventsIn(this.session.watcher, `${this.key}/ready`, { startRevision: mine.revision, events: ["put"] }, scope);
    } catch (err) {
      throw scope.error(err);
    }
  }

  async leave(options?: WaitOptions): Promise<void> {
    using scope = WaitScope.open(options, "leave", this.session);
    try {
      for (;;) {
        const waiters = await this.waiters(scope);
        const mine = this.mine;
        if (waiters.length === 0 || mine === undefined) {
          this.mine = undefined;
          return;
        }
        let lowest = waiters[0]!;
        let highest = waiters[0]!;
        for (const kv of waiters) {
          if (kv.modRevision < lowest.modRevision) lowest = kv;
          if (kv.modRevision > highest.modRevision) highest = kv;
        }
        const isLowest = lowest.keyText() === mine.key;
        if (waiters.length === 1 && isLowest) {
          // The last one out closes the barrier for its next round.
          await this.session.kv.delete(`${this.key}/ready`, scope.callOptions());
          await deleteOwnKey(this.session, mine.key, mine.revision, scope.callOptions());
          this.mine = undefined;
          return;
        }
        if (isLowest) {
          // The lowest waits for the highest to leave, then looks again.
          await waitEventsIn(this.session.watcher, highest.keyText(), { startRevision: highest.modRevision, events: ["delete"] }, scope);
          continue;
        }
        if (waiters.some((kv) => kv.keyText() === mine.key)) await deleteOwnKey(this.session, mine.key, mine.revision, scope.callOptions());
        await waitEventsIn(this.session.watcher, lowest.keyText(), { startRevision: lowest.modRevision, events: ["delete"] }, scope);
      }
    } catch (err) {
      throw scope.error(err);
    }
  }

  private async waiters(scope: WaitScope): Promise<readonly KeyValue[]> {
    const result = await this.session.kv.range(`${this.key}/waiters/`, {
      prefix: true,
      sort: { target: "createRevision", order: "ascend" },
      keysOnly: true,
      ...scope.callOptions(),
    });
    return result.kvs;
  }
}
