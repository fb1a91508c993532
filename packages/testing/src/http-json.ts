import * as http from "node:http";
import * as https from "node:https";

/**
 * Result of one HTTP exchange with an etcd member.
 *
 * @example
 * ```ts
 * const { status, body }: HttpJsonResult = await requestText(`${url}/version`);
 * ```
 */
export interface HttpJsonResult {
  readonly status: number;
  readonly body: string;
}

/**
 * A client certificate for the harness's own HTTPS requests to members started with
 * --client-cert-auth.
 *
 * @example
 * ```ts
 * const tls: HealthTls = { cert: readFileSync("client.pem"), key: readFileSync("client-key.pem") };
 * ```
 */
export interface HealthTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/**
 * Makes one HTTP(S) request to an etcd member without connection reuse; https certificates are
 * not verified (test clusters use self-signed ones). Rejects on network errors and after
 * `timeoutMs`.
 *
 * @example
 * ```ts
 * const { status, body } = await requestText("http://127.0.0.1:2379/health", { timeoutMs: 1_000 });
 * ```
 */
export function requestText(
  url: string,
  options: { method?: "GET" | "POST"; body?: string; timeoutMs?: number; tls?: HealthTls | undefined } = {},
): Promise<HttpJsonResult> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  const timeoutMs = options.timeoutMs ?? 1_000;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: options.method ?? "GET",
        agent: false,
        rejectUnauthorized: false,
        ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
        headers: options.body === undefined ? {} : { "content-type": "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${timeoutMs} ms: ${options.method ?? "GET"} ${url}`));
    }, timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(options.body);
  });
}
