/**
 * How far a snapshot got.
 *
 * @example
 * ```ts
 * const pct = p.totalBytes ? Math.round((100 * p.bytes) / p.totalBytes) : undefined;
 * ```
 */
export interface SnapshotProgress {
  /** Bytes received and written so far. */
  readonly bytes: number;
  /**
   * The size the server announced: `bytes` plus the `remaining_bytes` of the last message.
   * etcd announces the database size and then appends a 32-byte sha256 trailer, so the total
   * grows by 32 with the very last message; in the last progress event `totalBytes === bytes`.
   * Undefined before the first message.
   */
  readonly totalBytes: number | undefined;
}

/**
 * The outcome of a snapshot.
 *
 * @example
 * ```ts
 * const { bytes, sha256, path } = await maintenance.snapshot(endpoint, "/backups/etcd.db");
 * ```
 */
export interface SnapshotResult {
  /** Bytes written (the file size), including etcd's 32-byte integrity trailer. */
  readonly bytes: number;
  /** sha256 of everything written, hex: compare with `sha256sum <file>`. */
  readonly sha256: string;
  /** The absolute path written, for a file target. */
  readonly path?: string | undefined;
}

/**
 * A running snapshot: a Promise of its result that is also an async iterable of its progress.
 * Iterating yields the latest progress whenever it changed (a slow consumer skips intermediate
 * events; the last event is always delivered), ends when the snapshot is written, and throws
 * the snapshot's error if it failed. Leaving the loop early does not stop the snapshot: abort it
 * with the `signal` option.
 *
 * @example
 * ```ts
 * const task = maintenance.snapshot(endpoint, "/backups/etcd.db");
 * for await (const p of task) console.log(`${p.bytes} / ${p.totalBytes ?? "?"} bytes`);
 * const { sha256 } = await task;
 * ```
 */
export interface SnapshotTask extends Promise<SnapshotResult>, AsyncIterable<SnapshotProgress> {}

/**
 * Starts `run` now and returns it as a SnapshotTask; `run` reports progress through the function
 * it is given, which also calls `onProgress` (an exception thrown by `onProgress` fails the
 * snapshot).
 *
 * @example
 * ```ts
 * const task = startSnapshotTask((report) => copy(stream, sink, report), options.onProgress);
 * ```
 */
export function startSnapshotTask(
  run: (report: (progress: SnapshotProgress) => void) => Promise<SnapshotResult>,
  onProgress: ((progress: SnapshotProgress) => void) | undefined,
): SnapshotTask {
  let latest: SnapshotProgress | undefined;
  let version = 0;
  let settled: { ok: true } | { ok: false; error: unknown } | undefined;
  let wake: (() => void)[] = [];
  const notify = (): void => {
    const waiting = wake;
    wake = [];
    for (const resolve of waiting) resolve();
  };

  const report = (progress: SnapshotProgress): void => {
    latest = progress;
    version++;
    notify();
    onProgress?.(progress);
  };

  const promise = Promise.resolve()
    .then(() => run(report))
    .then(
      (result) => {
        settled = { ok: true };
        notify();
        return result;
      },
      (error: unknown) => {
        settled = { ok: false, error };
        notify();
        throw error;
      },
    );
  // Whoever only iterates still sees the error; awaiting the task sees it too.
  promise.catch(() => {});

  async function* progress(): AsyncGenerator<SnapshotProgress, void, undefined> {
    let seen = 0;
    for (;;) {
      if (version > seen && latest !== undefined) {
        seen = version;
        yield latest;
        continue;
      }
      if (settled !== undefined) {
        if (!settled.ok) throw settled.error;
        return;
      }
      await new Promise<void>((resolve) => wake.push(resolve));
    }
  }

  return Object.assign(promise, { [Symbol.asyncIterator]: progress });
}
