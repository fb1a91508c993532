/**
 * One session's own queue per lock key. A lock key is derived from the session's lease, so two
 * lock() calls of one session on one name would share a key and both believe they own it (Go's
 * Mutex is re-entrant per session that way). Here they queue locally instead: the second waits
 * until the first is released, then takes its turn.
 *
 * @example
 * ```ts
 * const release = await locals.acquire("locks/a/694d...", scope);
 * try { ... } finally { release(); }
 * ```
 */
export class LocalLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** True while some call of this session holds or waits for `key`. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  /**
   * Waits for this session's earlier users of `key` to release it, then returns this caller's
   * release function (idempotent). `race` bounds the wait (e.g. a WaitScope's race); when it
   * rejects, the caller's place is given up.
   */
  async acquire(key: string, race: <T>(promise: Promise<T>) => Promise<T>): Promise<() => void> {
    const previous = this.tails.get(key);
    let releaseSlot!: () => void;
    const slot = new Promise<void>((resolve) => (releaseSlot = resolve));
    const tail = previous === undefined ? slot : previous.then(() => slot);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      releaseSlot();
    };
    if (previous !== undefined) {
      try {
        await race(previous);
      } catch (err) {
        release();
        throw err;
      }
    }
    return release;
  }
}
