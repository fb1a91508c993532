/**
 * Milliseconds of a Go duration string, as Go's `time.ParseDuration` reads it: a sequence of
 * decimal numbers with units `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, e.g. "5s", "1m30s",
 * "1.5h", "300ms"; "0" alone is zero; a leading sign is allowed. Returns undefined for anything
 * else (a bare number other than 0, an unknown unit, an empty string).
 *
 * @example
 * ```ts
 * parseGoDuration("1m30s"); // 90000
 * parseGoDuration("250ms"); // 250
 * parseGoDuration("5");     // undefined: Go wants a unit
 * ```
 */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([+-]?)(.+)$/.exec(text);
  if (match === null) return undefined;
  const [, sign, rest] = match as unknown as [string, string, string];
  if (rest === "0") return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < rest.length) {
    part.lastIndex = index;
    const found = part.exec(rest);
    if (found === null) return undefined;
    total += Number(found[1]) * unitMs[found[2]!]!;
    index = part.lastIndex;
  }
  return sign === "-" ? -total : total;
}

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};
