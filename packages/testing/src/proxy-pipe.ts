import type { Socket } from "node:net";

/**
 * The subset of the proxy's state a pipe needs to decide what to do with a chunk.
 *
 * @example
 * ```ts
 * const state: PipeMode = { mode: "delay", delayMs: 100 };
 * ```
 */
export interface PipeMode {
  readonly mode: "pass" | "blackhole" | "delay" | "reset";
  readonly delayMs: number;
}

/**
 * One direction of a proxied connection.
 *
 * @example
 * ```ts
 * const pipe: ProxyPipe = createProxyPipe(client, upstream, () => state, () => {});
 * pipe.modeChanged();
 * ```
 */
export interface ProxyPipe {
  /** Re-evaluates held chunks after the proxy's mode changed. */
  modeChanged(): void;
  /** Drops held chunks and timers (the connection is going away). */
  dispose(): void;
}

interface Held {
  readonly chunk: Buffer;
  due: number;
}

/**
 * Forwards `src` to `dst` according to the current mode: "pass" writes at once, "delay" holds
 * each chunk for `delayMs` (order preserved), "blackhole" holds everything and stops reading
 * `src` (so TCP flow control pushes back, like a peer that stopped reading) until the mode
 * changes. `onForward` sees every chunk as it is written to `dst`. A half-close of `src` is
 * passed on after the held chunks.
 *
 * @example
 * ```ts
 * const up = createProxyPipe(client, upstream, () => state, (c) => (bytesUp += c.length));
 * ```
 */
export function createProxyPipe(
  src: Socket,
  dst: Socket,
  state: () => PipeMode,
  onForward: (chunk: Buffer) => void,
): ProxyPipe {
  const held: Held[] = [];
  let ended = false;
  let endSent = false;
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;

  const canRead = (): boolean => state().mode !== "blackhole" && !dst.writableNeedDrain;

  const write = (chunk: Buffer): void => {
    if (dst.destroyed || dst.writableEnded) {
      // the other side is gone: nothing can be delivered any more
      src.destroy();
      return;
    }
    onForward(chunk);
    if (!dst.write(chunk)) {
      src.pause();
      dst.once("drain", () => {
        if (!disposed && canRead()) src.resume();
      });
    }
  };

  const maybeEnd = (): void => {
    if (ended && !endSent && held.length === 0 && !dst.destroyed) {
      endSent = true;
      dst.end();
    }
  };

  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (disposed) return;
    const now = Date.now();
    while (held.length > 0 && held[0]!.due <= now) write(held.shift()!.chunk);
    const next = held[0];
    if (next !== undefined && Number.isFinite(next.due)) {
      timer = setTimeout(flush, Math.max(0, next.due - now));
    }
    maybeEnd();
  };

  const dueFor = ({ mode, delayMs }: PipeMode, now: number): number => {
    if (mode === "pass") return now;
    if (mode === "delay") {
      const last = held[held.length - 1]?.due ?? 0;
      return Math.max(now + delayMs, Number.isFinite(last) ? last : 0);
    }
    return Number.POSITIVE_INFINITY;
  };

  src.on("data", (chunk: Buffer) => {
    if (disposed) return;
    const current = state();
    if (current.mode === "reset") return;
    if (current.mode === "pass" && held.length === 0) {
      write(chunk);
      return;
    }
    held.push({ chunk, due: dueFor(current, Date.now()) });
    if (current.mode === "blackhole") src.pause();
    flush();
  });
  src.on("end", () => {
    ended = true;
    maybeEnd();
  });

  return {
    modeChanged() {
      if (disposed) return;
      const current = state();
      const now = Date.now();
      if (current.mode === "blackhole") {
        src.pause();
        for (const h of held) h.due = Number.POSITIVE_INFINITY;
      } else {
        let last = 0;
        for (const h of held) {
          if (current.mode === "pass") h.due = now;
          else if (!Number.isFinite(h.due)) h.due = Math.max(now + current.delayMs, last);
          last = h.due;
        }
        if (canRead()) src.resume();
      }
      flush();
    },
    dispose() {
      disposed = true;
      held.length = 0;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
