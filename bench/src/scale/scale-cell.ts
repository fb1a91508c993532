/**
 * Parent side of a scale cell (watch scale, lease scale): runs one measurement in a fresh worker
 * process with `--expose-gc` (heap numbers need forced GC), collects its one JSON result line,
 * and relays the worker's phase markers (e.g. to reset a proxy's counters at the right moment).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ERROR_MARKER, RESULT_MARKER } from "../worker-process.js";

/** Prefix of a stdout line a worker prints when it enters a phase ("@@bench-phase keepalive"). */
export const PHASE_MARKER = "@@bench-phase ";

/** What a scale worker measures: one client, one kind of scale test. */
export interface ScaleSpec {
  readonly kind: "watch-scale" | "lease-scale";
  readonly client: "etcdkit" | "etcd3";
  /** URL the measured client talks to. */
  readonly url: string;
  /** Direct URL for setup, writes and verification (not counted by a proxy). */
  readonly directUrl: string;
  /** Watches or leases. */
  readonly count: number;
  /** Lease TTL in seconds (lease scale). */
  readonly ttlSeconds: number;
  readonly keyPrefix: string;
}

const WORKER = fileURLToPath(new URL("./scale-worker.ts", import.meta.url));

/**
 * Runs `spec` in a worker; `onPhase` is called with each phase name as the worker reaches it.
 * Rejects with the worker's error line (or stderr tail) when it fails or overruns `limitMs`.
 */
export function runScaleCell<R>(spec: ScaleSpec, limitMs: number, onPhase?: (phase: string) => void): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, "--expose-gc", WORKER, JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let pending = "";
    let result: string | undefined;
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      pending += s;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith(PHASE_MARKER)) onPhase?.(line.slice(PHASE_MARKER.length).trim());
        else if (line.startsWith(RESULT_MARKER)) result = line.slice(RESULT_MARKER.length);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && result !== undefined) {
        resolve(JSON.parse(result) as R);
        return;
      }
      const lines = stderr.trim().split("\n");
      const marked = lines.find((l) => l.startsWith(ERROR_MARKER))?.slice(ERROR_MARKER.length);
      reject(new Error(`worker failed (${signal === null ? `exit code ${code}` : `signal ${signal}`}): ${marked ?? (lines.slice(-6).join("\n") || "no output")}`));
    });
  });
}
