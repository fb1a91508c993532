/**
 * JSON for history records: bigints and non-finite numbers survive a round trip (plain JSON
 * turns Infinity into null and cannot write bigints at all).
 *
 * @example
 * ```ts
 * const line = encodeRecord({ revision: 5n, return: Infinity });
 * decodeRecord(line); // { revision: 5n, return: Infinity }
 * ```
 */
export function encodeRecord(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return `${BIGINT}${v.toString()}`;
    if (typeof v === "number" && !Number.isFinite(v)) return `${NUMBER}${String(v)}`;
    return v;
  });
}

/**
 * Parses what `encodeRecord` wrote.
 *
 * @example
 * ```ts
 * const record = decodeRecord(line) as HistoryRecord;
 * ```
 */
export function decodeRecord(line: string): unknown {
  return JSON.parse(line, (_key, v: unknown) => {
    if (typeof v !== "string" || v.charCodeAt(0) !== 0) return v;
    if (v.startsWith(BIGINT)) return BigInt(v.slice(BIGINT.length));
    if (v.startsWith(NUMBER)) return Number(v.slice(NUMBER.length));
    return v;
  });
}

/** Markers no workload value contains (they start with a NUL character). */
const BIGINT = "\u0000n:";
const NUMBER = "\u0000f:";
