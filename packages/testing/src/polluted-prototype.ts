/**
 * Tests of "options are read from own properties only": an `Object.prototype` polluted the way a
 * prototype-pollution bug elsewhere in a process would leave it, and a child-process runner for
 * scripts that pollute it for their whole life (so that no test worker ever runs polluted).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs `fn` with `values` set on `Object.prototype` (plain assignment: enumerable, as a merge bug
 * sets them), and removes them again afterwards, whatever `fn` did.
 *
 * @example
 * ```ts
 * const outcome = await withPollutedPrototype({ prefix: true }, () => kv.delete("a", {}));
 * ```
 */
export async function withPollutedPrototype<T>(values: Record<string, unknown>, fn: () => T | Promise<T>): Promise<T> {
  const proto = Object.prototype as Record<string, unknown>;
  const added = Object.keys(values).filter((key) => !Object.hasOwn(proto, key));
  if (added.length !== Object.keys(values).length) throw new Error("withPollutedPrototype: a key is already on Object.prototype");
  try {
    for (const key of added) proto[key] = values[key];
    return await fn();
  } finally {
    for (const key of added) delete proto[key];
  }
}

/**
 * Runs a TypeScript file in a child Node.js process (`--import tsx --conditions=@etcdkit/source`, from the
 * repository root) and resolves with its exit and output; killed after `timeoutMs`.
 *
 * @example
 * ```ts
 * const { code, stdout } = await runScript(new URL("./polluted.test-helpers.ts", import.meta.url), [endpoint]);
 * ```
 */
export async function runScript(
  script: URL,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@etcdkit/source", fileURLToPath(script), ...args], {
    cwd: fileURLToPath(new URL("../../..", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return await new Promise((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
