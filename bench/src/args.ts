/** Parsed `pnpm bench` command line: positional words and `--flag value` / `--flag=value` / `--flag` pairs. */
export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

/** Splits argv (without node and script) into positional words and flags. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") continue; // pnpm may forward a separator
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("--")) {
        flags.set(arg.slice(2), next);
        i++;
      } else flags.set(arg.slice(2), true);
    }
  }
  return { positional, flags };
}

/** A numeric flag in seconds, returned in ms; `fallbackMs` when absent. Throws on garbage. */
export function secondsFlag(flags: ParsedArgs["flags"], name: string, fallbackMs: number): number {
  const v = flags.get(name);
  if (v === undefined) return fallbackMs;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number of seconds`);
  return Math.round(n * 1000);
}

/** A comma-separated list flag; undefined when absent. */
export function listFlag(flags: ParsedArgs["flags"], name: string): string[] | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (v === true) throw new Error(`--${name} takes a comma-separated list`);
  return v.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}
