import { requestText, type HealthTls } from "./http-json.js";

/**
 * Outcome of one /health probe.
 *
 * @example
 * ```ts
 * const probe: HealthProbe = await probeHealth(url); // { healthy: true, detail: 'HTTP 200 {"health":"true"}' }
 * ```
 */
export interface HealthProbe {
  readonly healthy: boolean;
  /** Response body or error message, for diagnostics. */
  readonly detail: string;
}

/**
 * Probes `GET {clientUrl}/health` once; healthy when the JSON body has `health: "true"`.
 * Never rejects.
 *
 * @example
 * ```ts
 * const { healthy, detail } = await probeHealth("http://127.0.0.1:2379");
 * ```
 */
export async function probeHealth(clientUrl: string, timeoutMs = 1_000, tls?: HealthTls): Promise<HealthProbe> {
  try {
    const { status, body } = await requestText(`${clientUrl}/health`, { timeoutMs, tls });
    let healthy = false;
    try {
      const parsed = JSON.parse(body) as { health?: unknown };
      healthy = status === 200 && (parsed.health === "true" || parsed.health === true);
    } catch {
      // not JSON: unhealthy
    }
    return { healthy, detail: `HTTP ${status} ${body.trim()}` };
  } catch (err) {
    return { healthy: false, detail: err instanceof Error ? err.message : String(err) };
  }
}
