import { isIP } from "node:net";
import type { ConnectionOptions } from "node:tls";

/**
 * TLS settings for `https://` endpoints. PEM strings or buffers, as read from files.
 *
 * @example
 * ```ts
 * const tls: TlsOptions = {
 *   ca: readFileSync("/etc/etcd/ca.pem"),
 *   cert: readFileSync("/etc/etcd/client.pem"),
 *   key: readFileSync("/etc/etcd/client-key.pem"),
 * };
 * ```
 */
export interface TlsOptions {
  /** Trusted CA certificate(s); default: Node's built-in root store. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (for etcd's `--client-cert-auth`). */
  cert?: string | Buffer;
  /** Private key of the client certificate. */
  key?: string | Buffer;
  /** Host name the server certificate must match (SNI and verification); default: the endpoint's host. */
  serverName?: string;
  /**
   * Verify the server certificate (default true). `false` accepts ANY certificate: anyone on the
   * network path can then pose as etcd and receive the token, the password and every key and
   * value. For experiments only; the transport emits a warning (once per process) when it is off.
   */
  rejectUnauthorized?: boolean;
}

/**
 * The `tls.connect()` options for an `https://` endpoint: ALPN "h2", TLS 1.2 or newer, the CA,
 * client certificate and key, and the server name (SNI is only sent for host names, never for
 * IP addresses; certificate verification uses `serverName` when given, else the host).
 *
 * @example
 * ```ts
 * const socket = tls.connect(tlsConnectOptions("10.0.0.1", 2379, { ca: readFileSync("ca.pem") }));
 * ```
 */
export function tlsConnectOptions(host: string, port: number, tls: TlsOptions | undefined): ConnectionOptions {
  const options: ConnectionOptions = { host, port, ALPNProtocols: ["h2"], minVersion: "TLSv1.2" };
  const serverName = tls?.serverName ?? (isIP(host) === 0 ? host : undefined);
  if (serverName !== undefined) options.servername = serverName;
  if (tls === undefined) return options;
  if (tls.ca !== undefined) options.ca = tls.ca;
  if (tls.cert !== undefined) options.cert = tls.cert;
  if (tls.key !== undefined) options.key = tls.key;
  if (tls.rejectUnauthorized !== undefined) options.rejectUnauthorized = tls.rejectUnauthorized;
  return options;
}

let warnedUnverified = false;

/**
 * Emits a process warning, once per process, when `tls.rejectUnauthorized` is false: the server
 * certificate is then not verified and credentials go to whoever answers.
 *
 * @example
 * ```ts
 * warnIfUnverified(options.tls); // (node) Warning: etcdkit: tls.rejectUnauthorized: false ...
 * ```
 */
export function warnIfUnverified(tls: TlsOptions | undefined): void {
  if (tls?.rejectUnauthorized !== false || warnedUnverified) return;
  warnedUnverified = true;
  const host = (globalThis as { process?: { emitWarning?: (message: string, options: object) => void } }).process;
  host?.emitWarning?.(
    "etcdkit: tls.rejectUnauthorized: false, the server certificate is not verified: anyone on the network path can pose " +
      "as etcd and receive the auth token, the password and all data. Use it for experiments only; set tls.ca instead.",
    { code: "ETCDKIT_TLS_UNVERIFIED" },
  );
}

/**
 * Per-stream receive window (HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE): 1 MiB keeps large ranges flowing.
 *
 * @example
 * ```ts
 * http2.connect(url, { settings: { initialWindowSize: STREAM_WINDOW_BYTES } });
 * ```
 */
export const STREAM_WINDOW_BYTES = 1024 * 1024;

/**
 * Connection-wide receive window set after connecting: 16 MiB shared by all streams.
 *
 * @example
 * ```ts
 * session.setLocalWindowSize(SESSION_WINDOW_BYTES);
 * ```
 */
export const SESSION_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * A readable explanation of a TLS failure for error messages, with a hint at the option to
 * fix, or undefined for non-TLS errors.
 *
 * @example
 * ```ts
 * describeTlsError(err);
 * // "TLS: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN); is tls.ca the CA that signed the server certificate?"
 * ```
 */
export function describeTlsError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const rawCode = (error as { code?: unknown }).code;
  const code = typeof rawCode === "string" ? rawCode : "";
  const tlsLike =
    code.startsWith("ERR_SSL_") ||
    code.startsWith("ERR_TLS_") ||
    /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/.test(code) ||
    /certificate|ssl|tls|altnames/i.test(error.message);
  if (!tlsLike) return undefined;
  const alert = /alert ([a-z ]+?)(?::|$)/i.exec(error.message)?.[1];
  if (alert !== undefined) {
    const hint = /certificate/.test(alert)
      ? "; the server did not accept the client certificate (set tls.cert and tls.key to one signed by a CA the server trusts)"
      : "";
    return `TLS: the server sent alert "${alert}"${hint}`;
  }
  const hint = /SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)|CERT_UNTRUSTED/.test(code)
    ? "; is tls.ca the CA that signed the server certificate?"
    : "";
  return `TLS: ${error.message}${code !== "" && !error.message.includes(code) ? ` (${code})` : ""}${hint}`;
}
