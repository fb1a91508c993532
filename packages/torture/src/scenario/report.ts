import { countByKind } from "../checkers/violation.js";
import { knownBugOf } from "./known-bugs.js";
import type { ScenarioReport } from "./run-scenario.js";
import { soakVerdict, type SoakSample } from "./soak.js";

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Faults by kind as "kill×3, pause×1".
 *
 * @example
 * ```ts
 * formatCounts({ kill: 3 }); // "kill×3"
 * ```
 */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length === 0 ? "none" : entries.map(([k, n]) => `${k}×${n}`).join(", ");
}

/**
 * The table of a run: one row per scenario (operations, faults injected, violations by kind,
 * unknown outcomes, watch and lease counts, client heap and handles at the first and last quiet
 * sample).
 *
 * @example
 * ```ts
 * console.log(reportTable(reports));
 * ```
 */
export function reportTable(reports: readonly ScenarioReport[]): string {
  const rows = [
    "| scenario | s | operations (ok / failed / unknown) | faults injected | violations | of which open SDK bugs | undecided | watches / events / resumes | leases | locks / overlapping holds | client heap start → end | handles start → end |",
    "| :-- | --: | :-- | :-- | :-- | :-- | :-- | :-- | --: | :-- | :-- | :-- |",
  ];
  for (const r of reports) {
    const quiet = r.samples.filter((s) => s.quiet);
    const first = quiet[0];
    const last = quiet[quiet.length - 1];
    rows.push(
      `| ${r.scenario} | ${Math.round(r.durationMs / 1000)} | ${r.operations} (${r.ok} / ${r.failed} / ${r.unknown}) | ${formatCounts(r.faults)} | ${
        Object.keys(r.violations).length === 0 ? "**none**" : `**${formatCounts(r.violations)}**`
      } | ${knownCounts(r)} | ${r.undecided.length === 0 ? "—" : r.undecided.join(", ")} | ${r.watches} / ${r.watchEvents} / ${r.watchResumes} | ${r.leases} | ${r.locks.acquisitions} / ${r.locks.overlapping} | ${
        first && last ? `${mb(first.heapUsed)} → ${mb(last.heapUsed)}` : "—"
      } | ${first && last ? `${first.handles} → ${last.handles}` : "—"} |`,
    );
  }
  return rows.join("\n");
}

/** Violations of known SDK bugs, by kind. */
function knownCounts(r: ScenarioReport): string {
  const known = r.checks.flatMap((c) => c.violations.filter((v) => knownBugOf(v) !== undefined));
  return known.length === 0 ? "—" : formatCounts(countByKind(known));
}

/**
 * Every violation and checker note of a run, for the report's details section.
 *
 * @example
 * ```ts
 * console.log(reportDetails(reports));
 * ```
 */
export function reportDetails(reports: readonly ScenarioReport[], perChecker = 5): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`### ${r.scenario} (seed ${r.seed}, checked in ${Math.round(r.checkMs)} ms)`, "");
    lines.push(`Clients under test, summed: ${formatCounts(r.clientCounters).replaceAll("×", " ")}.`, "");
    for (const c of r.checks) {
      lines.push(`- ${c.checker}: **${c.status}**${c.notes.length > 0 ? ` — ${c.notes.join("; ")}` : ""}`);
      for (const v of c.violations.slice(0, perChecker)) {
        const bug = knownBugOf(v);
        lines.push(`  - ${v.kind}: ${v.message}${bug ? ` (open SDK bug ${bug.id})` : ""}`);
      }
      if (c.violations.length > perChecker) lines.push(`  - … ${c.violations.length - perChecker} more`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

/**
 * The soak verdict over every sample of a run, as one line.
 *
 * @example
 * ```ts
 * soakLine(reports.flatMap((r) => r.samples));
 * ```
 */
export function soakLine(samples: readonly SoakSample[]): string {
  const verdict = soakVerdict(samples);
  return `${verdict.flat ? "flat" : "**GROWING**"}: ${verdict.detail}`;
}
