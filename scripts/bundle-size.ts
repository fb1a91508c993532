/**
 * `pnpm size`: bundle sizes of the fixed entry points (esbuild, minified, gzip), checked
 * against their budgets. Exits 1 when a budget is exceeded.
 *
 * @example
 * pnpm size            # table
 * pnpm size --verbose  # plus the largest modules of each bundle
 */
import { bundleEntries } from "./bundle/bundle-entries.js";
import { measureBundle } from "./bundle/measure-bundle.js";

const verbose = process.argv.includes("--verbose");
let failed = false;
console.log("| entry | minified | gzip | budget (gzip) |\n|---|---:|---:|---:|");
for (const entry of bundleEntries) {
  const result = await measureBundle(entry);
  const over = entry.gzipBudget !== undefined && result.gzip > entry.gzipBudget;
  failed ||= over;
  const budget = entry.gzipBudget === undefined ? "—" : `${entry.gzipBudget}${over ? " EXCEEDED" : ""}`;
  console.log(`| ${entry.name} | ${result.minified} | ${result.gzip} | ${budget} |`);
  if (verbose) for (const m of result.modules.slice(0, 12)) console.log(`|   ${m.path} | ${m.bytes} | | |`);
}
process.exit(failed ? 1 : 0);
