import { sweepLeftovers, type SweepResult } from "./sweep-leftovers.js";

function report(when: string, { killed, removed }: SweepResult): void {
  if (killed.length === 0 && removed.length === 0) return;
  const parts: string[] = [];
  if (killed.length > 0) parts.push(`killed orphaned etcd pid(s) ${killed.join(", ")}`);
  if (removed.length > 0) parts.push(`removed ${removed.length} temp root(s): ${removed.join(", ")}`);
  console.log(`[@etcdkit/testing] ${when}: ${parts.join("; ")}`);
}

/**
 * Vitest globalSetup: sweeps etcd processes and temp roots abandoned by crashed test processes,
 * before the run (left by earlier runs) and at teardown (left by this run), and prints what it
 * cleaned up.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ["packages/testing/src/global-setup.ts"] } });
 * ```
 */
export default function setup(): () => Promise<void> {
  report("before the run", sweepLeftovers());
  return async () => {
    report("after the run", sweepLeftovers());
  };
}
