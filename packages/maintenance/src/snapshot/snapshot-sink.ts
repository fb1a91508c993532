import type { Writable } from "node:stream";
import type { NodeModules } from "./node-modules.js";

/**
 * Where snapshot bytes go: written in order, then committed once the whole snapshot arrived and
 * checked out, or abandoned when anything failed.
 *
 * @example
 * ```ts
 * try {
 *   for await (const m of stream) await sink.write(m.blob);
 *   await sink.commit();
 * } catch (err) {
 *   await sink.abandon();
 *   throw err;
 * }
 * ```
 */
export interface SnapshotSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the snapshot visible (file: fsync + rename; stream: end it). */
  commit(): Promise<void>;
  /** Leaves nothing behind (file: the temp file is deleted). Never throws. */
  abandon(): Promise<void>;
}

/**
 * A sink that writes to a temp file beside `target` (`.<name>.<random>.part`, mode 0600: a
 * snapshot holds every key and the auth store), and on commit fsyncs it, renames it over
 * `target` and fsyncs the directory. On abandon the temp file is deleted, so a failed or aborted
 * snapshot never leaves a partial file at `target` (an existing `target` is kept as it was).
 *
 * @example
 * ```ts
 * const sink = await openFileSink(await loadNodeModules(), "/backups/etcd.db");
 * ```
 */
export async function openFileSink(node: NodeModules, target: string): Promise<SnapshotSink> {
  const { fs, path, crypto } = node;
  const full = path.resolve(target);
  const dir = path.dirname(full);
  const temp = path.join(dir, `.${path.basename(full)}.${crypto.randomBytes(6).toString("hex")}.part`);
  const handle = await fs.open(temp, "wx", 0o600);
  let open = true;
  const close = async (): Promise<void> => {
    if (!open) return;
    open = false;
    await handle.close();
  };
  return {
    async write(chunk) {
      for (let offset = 0; offset < chunk.length; ) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
    },
    async commit() {
      await handle.sync();
      await close();
      await fs.rename(temp, full);
      await syncDirectory(node, dir);
    },
    async abandon() {
      await close().catch(() => {});
      await fs.rm(temp, { force: true }).catch(() => {});
    },
  };
}

/** fsync of a directory makes a rename durable; not every platform allows it (Windows). */
async function syncDirectory(node: NodeModules, dir: string): Promise<void> {
  try {
    const handle = await node.fs.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

/**
 * A sink that writes to a Node.js Writable, waiting for 'drain' when it is full. On commit the
 * stream is ended (unless `end` is false) and the sink waits until it finished. On failure the
 * stream is left as it is, neither ended nor destroyed: the caller decides (usually
 * `stream.destroy(err)`).
 *
 * @example
 * ```ts
 * const sink = createStreamSink(await loadNodeModules(), createWriteStream("/tmp/x.db"), true, signal);
 * ```
 */
export function createStreamSink(
  node: Pick<NodeModules, "streams">,
  stream: Writable,
  end: boolean,
  signal: AbortSignal | undefined,
): SnapshotSink {
  return {
    async write(chunk) {
      if (stream.destroyed || stream.writableEnded) throw new Error("snapshot: the target stream was closed");
      if (!stream.write(chunk)) await drained(stream, signal);
    },
    async commit() {
      if (!end) return;
      stream.end();
      await node.streams.finished(stream);
    },
    async abandon() {},
  };
}

/** Resolves on 'drain'; rejects on 'error', on 'close' before draining, or when `signal` aborts. */
function drained(stream: Writable, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: unknown): void => {
      stream.off("drain", onDrain);
      stream.off("error", onError);
      stream.off("close", onClose);
      signal?.removeEventListener("abort", onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = (): void => settle();
    const onError = (error: unknown): void => settle(error);
    const onClose = (): void => settle(new Error("snapshot: the target stream closed before the snapshot was written"));
    const onAbort = (): void => settle(signal?.reason);
    stream.on("drain", onDrain);
    stream.on("error", onError);
    stream.on("close", onClose);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
