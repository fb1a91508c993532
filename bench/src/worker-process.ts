/**
 * Both sides of a measurement worker (run-cell.ts, scale/scale-worker.ts, kv-layer/paired-worker.ts,
 * kv-layer/layer-cost-worker.ts): the parent spawns it in a fresh child process with the same
 * loader flags (tsx, the "@etcdkit/source" condition) and its spec as JSON; the worker prints one JSON
 * result line after RESULT_MARKER, or its error after ERROR_MARKER.
 */
import { spawn } from "node:child_process";

/** Prefix of the one stdout line that carries a worker's JSON result. */
export const RESULT_MARKER = "@@bench-cell-result ";
/** Prefix of the stderr line that carries a failed worker's error message (one line). */
export const ERROR_MARKER = "@@bench-cell-error ";

/**
 * Spawns `workerFile` with `spec`; kills it after `limitMs`; rejects with the worker's error line
 * (or the tail of its stderr) when it fails.
 *
 * @example
 * ```ts
 * const result = await runWorkerProcess<LayerCostResult>("layer cost", WORKER, spec, 120_000);
 * ```
 */
export function runWorkerProcess<R>(label: string, workerFile: string, spec: unknown, limitMs: number): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, workerFile, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as R);
        return;
      }
      const lines = stderr.trim().split("\n");
      const marked = lines.find((l) => l.startsWith(ERROR_MARKER))?.slice(ERROR_MARKER.length);
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(new Error(`${label} worker failed (${how}): ${marked ?? (lines.slice(-6).join("\n") || "no output")}`));
    });
  });
}

/**
 * The worker side: runs `main` and prints its result after RESULT_MARKER, or the error after
 * ERROR_MARKER (exit code 1). Unhandled errors, and an event loop that empties before `main`
 * settles, end the worker the same way. It exits as soon as the result is out (some clients keep
 * timers or sockets alive after close()).
 *
 * @example
 * ```ts
 * runAsWorker(async (spec: LayerCostSpec) => measure(spec));
 * ```
 */
export function runAsWorker<S, R>(main: (spec: S) => Promise<R>): void {
  const fail = (err: unknown): never => {
    const message = err instanceof Error ? `${err.name === "Error" ? "" : `${err.name}: `}${err.message}` : String(err);
    process.stderr.write(`${err instanceof Error ? (err.stack ?? message) : message}\n`);
    process.stderr.write(`${ERROR_MARKER}${message.replace(/\s+/g, " ")}\n`);
    process.exit(1);
  };
  // A client bug that throws outside a call (e.g. in a socket callback) must still name itself.
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);
  // The event loop emptied with main() still pending: some call never settled.
  process.on("beforeExit", () => fail(new Error("the event loop emptied before the worker finished (a call never settled)")));
  const arg = process.argv[2];
  if (arg === undefined) fail(new Error("usage: <worker>.ts '<spec JSON>'"));
  main(JSON.parse(arg!) as S).then((result) => {
    process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
    process.exit(0);
  }, fail);
}
