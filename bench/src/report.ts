/** Small formatting helpers shared by suites: numbers, ratios, markdown tables, target lines. */

/** Formats a count or rate with thousands separators and no decimals; "—" for missing values. */
export function fmtInt(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? "—" : Math.round(n).toLocaleString("en-US");
}

/** Formats a small quantity (µs) with one decimal below 100, none above; "—" for missing values. */
export function fmtUs(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "—";
  return n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString("en-US");
}

/** Formats `a / b` as "1.52×"; "—" when either side is missing. */
export function fmtRatio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "—";
  return `${(a / b).toFixed(2)}×`;
}

/** Renders a markdown table; the first `leftColumns` columns are left-aligned, the rest right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const align = header.map((_, i) => (i < leftColumns ? ":--" : "--:"));
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(align), ...rows.map(line)].join("\n");
}

/** A performance target and what this run measured for it. */
export interface TargetCheck {
  /** The goal, e.g. "put c=64: etcdkit ops/s ≥ 1.5× etcd3". */
  readonly goal: string;
  /** What was measured, e.g. "1.72×"; undefined when it could not be measured. */
  readonly measured: string | undefined;
  /** Whether the goal was met; undefined when it could not be measured. */
  readonly met: boolean | undefined;
  /** Why it could not be measured, when it could not. */
  readonly note?: string;
}

/** One markdown bullet per target: "met", "MISSED" or "not measured (why)". Never fails the run. */
export function targetLines(checks: readonly TargetCheck[]): string {
  return checks
    .map((c) => {
      if (c.met === undefined) return `- ${c.goal}: not measured${c.note ? ` (${c.note})` : ""}`;
      return `- ${c.goal}: ${c.measured} — ${c.met ? "met" : "MISSED"}`;
    })
    .join("\n");
}
