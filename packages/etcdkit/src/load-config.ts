import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { type TlsOptions } from "@etcdkit/transport";
import { invalidArgumentError } from "@etcdkit/transport/internal";
import { parse as parseYaml } from "yaml";
import type { ClientConfig } from "./create-client.js";
import { booleanField, configError, durationMs, endpointUrl, integerField, readPem, stringField } from "./config-fields.js";

/** Go's client config fields (`clientv3.Config` and `clientv3/yaml`), by their YAML/JSON names. */
const goFields = [
  "endpoints",
  "auto-sync-interval",
  "dial-timeout",
  "dial-keep-alive-time",
  "dial-keep-alive-timeout",
  "MaxCallSendMsgSize",
  "MaxCallRecvMsgSize",
  "username",
  "password",
  "reject-old-cluster",
  "permit-without-stream",
  "insecure-transport",
  "insecure-skip-tls-verify",
  "cert-file",
  "key-file",
  "trusted-ca-file",
  "ca-file",
  // In the struct without a YAML name, so Go writes them (as null) when it marshals a config.
  "TLS",
  "DialOptions",
  "Context",
  "LogConfig",
] as const;

type GoField = (typeof goFields)[number];

/**
 * Reads a client config file written for Go's `clientv3/yaml` (`yaml.NewConfig`): YAML, or JSON
 * (`.json`), with Go's field names (`endpoints`, `dial-timeout`, `auto-sync-interval`,
 * `dial-keep-alive-time`, `dial-keep-alive-timeout`, `MaxCallSendMsgSize`, `MaxCallRecvMsgSize`,
 * `username`, `password`, `cert-file`, `key-file`, `trusted-ca-file`, `insecure-transport`,
 * `insecure-skip-tls-verify`; `ca-file`, which Go reads but does not use, is taken as the CA
 * when `trusted-ca-file` is not given; `reject-old-cluster` and `permit-without-stream` are
 * accepted and have no effect; `TLS`, `DialOptions`, `Context` and `LogConfig`, which Go writes
 * as null when it marshals a config, must be null). As in Go, names match case-insensitively.
 * Certificate files are read now (relative paths from the working directory, as Go).
 *
 * As in Go, TLS is on unless `insecure-transport: true`: endpoints written without a scheme
 * (`10.0.0.1:2379`) become `https://` then, `http://` with `insecure-transport: true`; endpoints
 * with a scheme are used as written. Durations are Go duration strings ("5s", "1m30s") or
 * numbers of nanoseconds (how Go's YAML config stores them); 0 means the default.
 *
 * Throws EtcdError "invalid-argument" naming the file and the field: a file that cannot be read
 * or parsed, an unknown field, a field of the wrong type, `cert-file` without `key-file` (or the
 * reverse), `username` without `password` (or the reverse), TLS files with
 * `insecure-transport: true`, or a certificate file that cannot be read.
 *
 * @example
 * ```ts
 * // client.yaml:
 * //   endpoints: [10.0.0.1:2379, 10.0.0.2:2379]
 * //   dial-timeout: 5s
 * //   trusted-ca-file: /etc/etcd/ca.pem
 * await using client = createClient(loadConfig("client.yaml"));
 * ```
 */
export function loadConfig(path: string): ClientConfig {
  if (typeof path !== "string" || path === "") throw invalidArgumentError("loadConfig: give the path of a YAML or JSON config file");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw invalidArgumentError(`loadConfig: cannot read ${path}${code === undefined ? "" : ` (${code})`}`);
  }
  return parseConfig(text, { source: path, json: extname(path).toLowerCase() === ".json" });
}

/**
 * The config of a YAML or JSON text with Go's field names (see {@link loadConfig}); `source`
 * names it in errors.
 *
 * @example
 * ```ts
 * const config = parseConfig("endpoints: [127.0.0.1:2379]\ninsecure-transport: true\n");
 * // { endpoints: ["http://127.0.0.1:2379"] }
 * ```
 */
export function parseConfig(text: string, options?: { readonly source?: string; readonly json?: boolean }): ClientConfig {
  const source = options?.source ?? "config";
  let document: unknown;
  try {
    document = options?.json === true ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw invalidArgumentError(`${source}: not valid ${options?.json === true ? "JSON" : "YAML"}: ${(err as Error).message.split("\n")[0]}`);
  }
  if (document === null || document === undefined) document = {};
  if (typeof document !== "object" || Array.isArray(document)) throw invalidArgumentError(`${source}: must be a mapping of Go's client config fields`);
  return fromGoFields(document as Record<string, unknown>, source);
}

function fromGoFields(document: Record<string, unknown>, source: string): ClientConfig {
  // Go's encoding/json matches field names case-insensitively; a later spelling wins.
  const fields: Partial<Record<GoField, unknown>> = {};
  for (const [name, value] of Object.entries(document)) {
    const field = goFields.find((f) => f.toLowerCase() === name.toLowerCase());
    if (field === undefined) throw configError(source, name, `is not a field of Go's client config (${goFields.join(", ")})`);
    fields[field] = value;
  }
  for (const name of ["TLS", "DialOptions", "Context", "LogConfig"] as const) {
    if (fields[name] !== undefined && fields[name] !== null) throw configError(source, name, "cannot be set in a config file (only null)");
  }
  const has = (name: GoField): boolean => fields[name] !== undefined && fields[name] !== null;
  for (const flag of ["reject-old-cluster", "permit-without-stream"] as const) if (has(flag)) booleanField(fields[flag], source, flag);
  const insecure = has("insecure-transport") && booleanField(fields["insecure-transport"], source, "insecure-transport");
  const tls = insecure ? insecureChecks(fields, source) : tlsOptions(fields, source);

  const endpoints = fields.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw configError(source, "endpoints", 'must list at least one endpoint, e.g. ["10.0.0.1:2379"]');
  }
  const config: { -readonly [K in keyof ClientConfig]: ClientConfig[K] } = {
    endpoints: endpoints.map((e: unknown) => endpointUrl(e, !insecure, source, "endpoints")),
  };
  const ms = (name: GoField): number | undefined => {
    if (!has(name)) return undefined;
    const value = durationMs(fields[name], source, name);
    return value === 0 ? undefined : value;
  };
  const bytes = (name: GoField): number | undefined => {
    if (!has(name)) return undefined;
    const value = integerField(fields[name], source, name);
    return value === 0 ? undefined : value;
  };
  const set = <K extends keyof ClientConfig>(key: K, value: ClientConfig[K] | undefined): void => {
    if (value !== undefined) config[key] = value;
  };
  set("dialTimeoutMs", ms("dial-timeout"));
  set("autoSyncIntervalMs", ms("auto-sync-interval"));
  set("keepAliveIntervalMs", ms("dial-keep-alive-time"));
  set("keepAliveTimeoutMs", ms("dial-keep-alive-timeout"));
  set("maxSendMessageBytes", bytes("MaxCallSendMsgSize"));
  set("maxReceiveMessageBytes", bytes("MaxCallRecvMsgSize"));
  const username = has("username") ? stringField(fields.username, source, "username") : "";
  const password = has("password") ? stringField(fields.password, source, "password") : "";
  if (username !== "" || password !== "") {
    if (username === "") throw configError(source, "username", "is required with password");
    if (password === "") throw configError(source, "password", "is required with username");
    config.auth = { username, password };
  }
  set("tls", tls);
  return config;
}

/** With `insecure-transport: true`, Go ignores every TLS field; a config that sets one is contradictory. */
function insecureChecks(fields: Partial<Record<GoField, unknown>>, source: string): undefined {
  for (const name of ["cert-file", "key-file", "trusted-ca-file", "ca-file", "insecure-skip-tls-verify"] as const) {
    if (fields[name] !== undefined && fields[name] !== null && fields[name] !== "" && fields[name] !== false) {
      throw configError(source, name, "has no effect with insecure-transport: true (remove one of them)");
    }
  }
  return undefined;
}

function tlsOptions(fields: Partial<Record<GoField, unknown>>, source: string): TlsOptions | undefined {
  const given = (name: GoField): boolean => fields[name] !== undefined && fields[name] !== null && fields[name] !== "";
  if (given("cert-file") !== given("key-file")) {
    const missing = given("cert-file") ? "key-file" : "cert-file";
    throw configError(source, missing, `is required with ${missing === "key-file" ? "cert-file" : "key-file"}`);
  }
  const tls: TlsOptions = {};
  if (given("cert-file")) {
    tls.cert = readPem(fields["cert-file"], source, "cert-file");
    tls.key = readPem(fields["key-file"], source, "key-file");
  }
  const caField = given("trusted-ca-file") ? "trusted-ca-file" : given("ca-file") ? "ca-file" : undefined;
  if (caField !== undefined) tls.ca = readPem(fields[caField], source, caField);
  if (given("insecure-skip-tls-verify") && booleanField(fields["insecure-skip-tls-verify"], source, "insecure-skip-tls-verify")) {
    tls.rejectUnauthorized = false;
  }
  return Object.keys(tls).length === 0 ? undefined : tls;
}
