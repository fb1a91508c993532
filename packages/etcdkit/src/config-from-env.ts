import type { TlsOptions } from "@etcdkit/transport";
import type { ClientConfig } from "./create-client.js";
import { booleanField, configError, durationMs, endpointUrl, readPem } from "./config-fields.js";

const source = "environment";

/**
 * The client config etcdctl (v3) would use, from its environment variables: `ETCDCTL_ENDPOINTS`
 * (comma-separated; default etcdctl's `127.0.0.1:2379`), `ETCDCTL_USER` (`name:password`, or
 * `name` with `ETCDCTL_PASSWORD`), `ETCDCTL_CACERT`, `ETCDCTL_CERT`, `ETCDCTL_KEY` (files, read
 * now), `ETCDCTL_INSECURE_SKIP_TLS_VERIFY`, `ETCDCTL_INSECURE_TRANSPORT`, `ETCDCTL_DIAL_TIMEOUT`
 * (the transport's `dialTimeoutMs`), `ETCDCTL_COMMAND_TIMEOUT` (the default deadline of every
 * unary call, `timeoutMs`), `ETCDCTL_KEEPALIVE_TIME` and `ETCDCTL_KEEPALIVE_TIMEOUT`. Durations
 * are Go duration strings ("2s", "500ms"). Empty variables count as unset, as in etcdctl; other
 * `ETCDCTL_*` variables (such as `ETCDCTL_API`) are ignored. Unset timeouts keep the transport's
 * defaults (etcdctl's own defaults, 2 s dial and 5 s per command, are not imposed).
 *
 * As in etcdctl, TLS is on when a CA, certificate or key is given, or when
 * `ETCDCTL_INSECURE_TRANSPORT=false`: endpoints without a scheme then become `https://`, else
 * `http://`.
 *
 * Throws EtcdError "invalid-argument" naming the variable: a user without a password (etcdctl
 * would prompt for it), `ETCDCTL_CERT` without `ETCDCTL_KEY` (or the reverse), a file that cannot
 * be read, a malformed duration or boolean.
 *
 * @example
 * ```ts
 * // ETCDCTL_ENDPOINTS=10.0.0.1:2379,10.0.0.2:2379 ETCDCTL_USER=root:secret node app.js
 * await using client = createClient(configFromEnv());
 * ```
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ClientConfig {
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw === "" ? undefined : raw;
  };
  const caFile = value("ETCDCTL_CACERT");
  const certFile = value("ETCDCTL_CERT");
  const keyFile = value("ETCDCTL_KEY");
  const insecureTransport = optional(value("ETCDCTL_INSECURE_TRANSPORT"), (v) => booleanField(v, source, "ETCDCTL_INSECURE_TRANSPORT")) ?? true;
  const skipVerify = optional(value("ETCDCTL_INSECURE_SKIP_TLS_VERIFY"), (v) => booleanField(v, source, "ETCDCTL_INSECURE_SKIP_TLS_VERIFY")) ?? false;
  const secure = caFile !== undefined || certFile !== undefined || keyFile !== undefined || !insecureTransport;

  const endpoints = (value("ETCDCTL_ENDPOINTS") ?? "127.0.0.1:2379")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "")
    .map((e) => endpointUrl(e, secure, source, "ETCDCTL_ENDPOINTS"));
  if (endpoints.length === 0) throw configError(source, "ETCDCTL_ENDPOINTS", "lists no endpoint");
  const config: { -readonly [K in keyof ClientConfig]: ClientConfig[K] } = { endpoints };

  const ms = (name: string): number | undefined => optional(value(name), (v) => durationMs(v, source, name));
  const dial = ms("ETCDCTL_DIAL_TIMEOUT");
  if (dial !== undefined && dial > 0) config.dialTimeoutMs = dial;
  const command = ms("ETCDCTL_COMMAND_TIMEOUT");
  if (command !== undefined && command > 0) config.timeoutMs = command;
  const keepAlive = ms("ETCDCTL_KEEPALIVE_TIME");
  if (keepAlive !== undefined) config.keepAliveIntervalMs = keepAlive;
  const keepAliveTimeout = ms("ETCDCTL_KEEPALIVE_TIMEOUT");
  if (keepAliveTimeout !== undefined && keepAliveTimeout > 0) config.keepAliveTimeoutMs = keepAliveTimeout;

  const user = value("ETCDCTL_USER");
  const password = value("ETCDCTL_PASSWORD");
  if (user !== undefined) {
    if (password !== undefined) {
      config.auth = { username: user, password };
    } else {
      const colon = user.indexOf(":");
      if (colon <= 0 || colon === user.length - 1) {
        throw configError(source, "ETCDCTL_USER", "needs a password: write name:password, or set ETCDCTL_PASSWORD (etcdctl would prompt)");
      }
      config.auth = { username: user.slice(0, colon), password: user.slice(colon + 1) };
    }
  } else if (password !== undefined) {
    throw configError(source, "ETCDCTL_PASSWORD", "needs ETCDCTL_USER");
  }

  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw configError(source, certFile === undefined ? "ETCDCTL_CERT" : "ETCDCTL_KEY", `is required with ${certFile === undefined ? "ETCDCTL_KEY" : "ETCDCTL_CERT"}`);
  }
  if (secure) {
    const tls: TlsOptions = {};
    if (caFile !== undefined) tls.ca = readPem(caFile, source, "ETCDCTL_CACERT");
    if (certFile !== undefined) tls.cert = readPem(certFile, source, "ETCDCTL_CERT");
    if (keyFile !== undefined) tls.key = readPem(keyFile, source, "ETCDCTL_KEY");
    if (skipVerify) tls.rejectUnauthorized = false;
    if (Object.keys(tls).length > 0) config.tls = tls;
  }
  return config;
}

function optional<T>(value: string | undefined, read: (v: string) => T): T | undefined {
  return value === undefined ? undefined : read(value);
}
