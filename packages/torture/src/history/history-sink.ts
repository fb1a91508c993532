import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { decodeRecord, encodeRecord } from "./json-codec.js";
import type { HistoryRecord } from "./types.js";

/**
 * Where a recorder puts finished records: in memory (tests, short runs) or appended to a JSON
 * Lines file (long runs: the client's heap stays flat, and the history is kept for inspection).
 *
 * @example
 * ```ts
 * const sink = createMemorySink();
 * sink.write(record);
 * const records = await sink.load();
 * ```
 */
export interface HistorySink {
  write(record: HistoryRecord): void;
  /** Every record written so far (a file sink is flushed and read back). */
  load(): Promise<HistoryRecord[]>;
  /** Flushes and releases the sink; load() still works afterwards. */
  close(): Promise<void>;
  /** How many records were written. */
  readonly count: number;
}

/**
 * A sink that keeps records in an array.
 *
 * @example
 * ```ts
 * const sink = createMemorySink();
 * ```
 */
export function createMemorySink(): HistorySink {
  const records: HistoryRecord[] = [];
  return {
    write: (record) => void records.push(record),
    load: () => Promise.resolve(records.slice()),
    close: () => Promise.resolve(),
    get count() {
      return records.length;
    },
  };
}

/**
 * A sink that appends one JSON line per record to `path` (bigints and Infinity preserved).
 *
 * @example
 * ```ts
 * const sink = createFileSink("/tmp/torture/register.jsonl");
 * ```
 */
export function createFileSink(path: string): HistorySink {
  let stream: WriteStream | undefined = createWriteStream(path, { flags: "w" });
  let count = 0;
  const flush = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const s = stream;
      if (s === undefined) return resolve();
      stream = undefined;
      s.once("error", reject);
      s.end(() => resolve());
    });
  return {
    write(record) {
      if (stream === undefined) throw new Error(`history sink ${path} is closed`);
      count++;
      stream.write(`${encodeRecord(record)}\n`);
    },
    async load() {
      await flush();
      return readHistoryFile(path);
    },
    close: flush,
    get count() {
      return count;
    },
  };
}

/**
 * Reads a history written by a file sink.
 *
 * @example
 * ```ts
 * const records = await readHistoryFile("/tmp/torture/register.jsonl");
 * ```
 */
export async function readHistoryFile(path: string): Promise<HistoryRecord[]> {
  const records: HistoryRecord[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length > 0) records.push(decodeRecord(line) as HistoryRecord);
  }
  return records;
}
