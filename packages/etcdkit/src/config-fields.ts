import { readFileSync } from "node:fs";
import { type EtcdError } from "@etcdkit/transport";
import { invalidArgumentError } from "@etcdkit/transport/internal";
import { parseGoDuration } from "./go-duration.js";

/**
 * The error of a bad config field: EtcdError "invalid-argument" whose message names where the
 * config came from and the field.
 *
 * @example
 * ```ts
 * throw configError("client.yaml", "dial-timeout", 'must be a duration such as "5s", got true');
 * // [invalid_argument] client.yaml: dial-timeout must be a duration such as "5s", got true
 * ```
 */
export function configError(source: string, field: string, problem: string): EtcdError {
  return invalidArgumentError(`${source}: ${field} ${problem}`);
}

/**
 * An endpoint as the transport takes it: a URL with a scheme as given; `host:port` without one
 * (as Go's client and etcdctl accept) gets `https://` when the config sets up TLS, else `http://`,
 * which is what Go's client does with such an endpoint.
 *
 * @example
 * ```ts
 * endpointUrl("10.0.0.1:2379", true, "client.yaml", "endpoints"); // "https://10.0.0.1:2379"
 * ```
 */
export function endpointUrl(raw: unknown, secure: boolean, source: string, field: string): string {
  if (typeof raw !== "string" || raw.trim() === "") throw configError(source, field, `must list endpoints such as "10.0.0.1:2379" or "https://10.0.0.1:2379", got ${show(raw)}`);
  const endpoint = raw.trim();
  return endpoint.includes("://") ? endpoint : `${secure ? "https" : "http"}://${endpoint}`;
}

/**
 * The contents of a PEM file a config names; a file that cannot be read fails naming the field,
 * the path and why.
 *
 * @example
 * ```ts
 * const ca = readPem("/etc/etcd/ca.pem", "client.yaml", "trusted-ca-file");
 * ```
 */
export function readPem(path: unknown, source: string, field: string): Buffer {
  if (typeof path !== "string" || path === "") throw configError(source, field, `must be a file path, got ${show(path)}`);
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw configError(source, field, `cannot be read from ${path}${code === undefined ? "" : ` (${code})`}`);
  }
}

/**
 * Milliseconds of a duration field: a Go duration string ("5s", "1m30s", "250ms"), or a number,
 * which Go's YAML config reads as nanoseconds (its `time.Duration` fields are integers). Fails
 * naming the field for anything else or a negative duration.
 *
 * @example
 * ```ts
 * durationMs("5s", "client.yaml", "dial-timeout");         // 5000
 * durationMs(5_000_000_000, "client.yaml", "dial-timeout"); // 5000 (nanoseconds, as Go)
 * ```
 */
export function durationMs(value: unknown, source: string, field: string): number {
  const ms = typeof value === "number" ? value / 1e6 : typeof value === "string" ? parseGoDuration(value.trim()) : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    throw configError(source, field, `must be a duration such as "5s" or "500ms" (a number: nanoseconds, as Go), got ${show(value)}`);
  }
  return ms;
}

/**
 * A boolean field: true/false, or, from the environment, what Go's `strconv.ParseBool` accepts
 * ("1", "t", "T", "TRUE", "true", "True" and their false counterparts).
 *
 * @example
 * ```ts
 * booleanField("true", "environment", "ETCDCTL_INSECURE_TRANSPORT"); // true
 * ```
 */
export function booleanField(value: unknown, source: string, field: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  }
  throw configError(source, field, `must be true or false, got ${show(value)}`);
}

/**
 * A non-negative integer field (message sizes).
 *
 * @example
 * ```ts
 * integerField(2097152, "client.yaml", "MaxCallSendMsgSize"); // 2097152
 * ```
 */
export function integerField(value: unknown, source: string, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw configError(source, field, `must be a whole number of bytes, got ${show(value)}`);
  }
  return value;
}

/**
 * A string field.
 *
 * @example
 * ```ts
 * stringField("root", "client.yaml", "username"); // "root"
 * ```
 */
export function stringField(value: unknown, source: string, field: string): string {
  if (typeof value !== "string") throw configError(source, field, `must be a string, got ${show(value)}`);
  return value;
}

/** A value for an error message; never the content of a string longer than a short token. */
function show(value: unknown): string {
  if (typeof value === "string") return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "a mapping" : String(value);
}
