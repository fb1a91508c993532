/**
 * Keeps the last lines written by a child process (stdout and stderr interleaved).
 *
 * @example
 * ```ts
 * const tail: LogTail = createLogTail();
 * tail.note("--- restarted ---");
 * ```
 */
export interface LogTail {
  /** Appends a chunk from `source`; partial lines are held until their newline arrives. */
  push(source: string, chunk: string | Buffer): void;
  /** Appends a whole line (e.g. a marker such as "--- restarted ---"). */
  note(line: string): void;
  /** The retained lines joined with "\n", plus any pending partial lines. */
  text(): string;
}

/**
 * Creates a bounded line buffer for process output.
 *
 * @example
 * ```ts
 * const tail = createLogTail(200);
 * child.stderr.on("data", (chunk) => tail.push("stderr", chunk));
 * console.log(tail.text());
 * ```
 */
export function createLogTail(maxLines = 200): LogTail {
  const lines: string[] = [];
  const partial = new Map<string, string>();
  const add = (line: string): void => {
    lines.push(line);
    if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
  };
  return {
    push(source, chunk) {
      const text = (partial.get(source) ?? "") + chunk.toString();
      const parts = text.split("\n");
      partial.set(source, parts.pop() ?? "");
      for (const part of parts) add(part);
    },
    note(line) {
      add(line);
    },
    text() {
      const pending = [...partial.values()].filter((p) => p !== "");
      return [...lines, ...pending].join("\n");
    },
  };
}
