/**
 * Config as users already write it: Go's YAML/JSON client config (loadConfig) and etcdctl's
 * environment (configFromEnv), checked field by field, with errors that name the field, and
 * used for real against an etcd that requires TLS client certificates.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv } from "./config-from-env.js";
import { createClient } from "./create-client.js";
import { parseGoDuration } from "./go-duration.js";
import { loadConfig, parseConfig } from "./load-config.js";
import { makePki, type Pki } from "./pki.test-helpers.js";

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
};

/** Asserts an invalid-argument EtcdError whose message names `field`. */
function expectFieldError(f: () => unknown, field: string): void {
  const error = thrown(f);
  expect(isEtcdError(error, "invalid-argument"), String(error)).toBe(true);
  expect((error as Error).message).toContain(field);
}

describe("config files and environment", () => {
  let pki: Pki;
  let dir: string;
  beforeAll(() => {
    pki = makePki();
    dir = mkdtempSync(join(tmpdir(), "etcdkit-config-"));
  });
  afterAll(() => {
    pki?.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("reads a config as Go's yaml.Marshal writes one (every field, sorted, nulls and zeros included)", () => {
    const path = file(
      "go-marshal.yaml",
      [
        "Context: null",
        "DialOptions: null",
        "LogConfig: null",
        "MaxCallRecvMsgSize: 0",
        "MaxCallSendMsgSize: 0",
        "TLS: null",
        "auto-sync-interval: 0",
        'ca-file: ""',
        `cert-file: ${pki.clientCert}`,
        "dial-keep-alive-time: 0",
        "dial-keep-alive-timeout: 0",
        "dial-timeout: 5000000000",
        "endpoints:",
        "- 127.0.0.1:2379",
        "- https://10.0.0.2:2379",
        "insecure-skip-tls-verify: true",
        "insecure-transport: false",
        `key-file: ${pki.clientKey}`,
        'password: ""',
        "permit-without-stream: false",
        "reject-old-cluster: false",
        `trusted-ca-file: ${pki.ca}`,
        'username: ""',
        "",
      ].join("\n"),
    );
    const config = loadConfig(path);
    expect(config.endpoints).toEqual(["https://127.0.0.1:2379", "https://10.0.0.2:2379"]);
    expect(config.dialTimeoutMs).toBe(5000);
    expect(config.auth).toBeUndefined();
    expect(config.autoSyncIntervalMs).toBeUndefined();
    expect(String(config.tls?.cert)).toContain("BEGIN CERTIFICATE");
    expect(String(config.tls?.key)).toContain("PRIVATE KEY");
    expect(String(config.tls?.ca)).toContain("BEGIN CERTIFICATE");
    expect(config.tls?.rejectUnauthorized).toBe(false);
  });

  it("reads JSON, Go duration strings, case-insensitive names and credentials", () => {
    const path = file(
      "client.json",
      JSON.stringify({
        Endpoints: ["10.0.0.1:2379"],
        "insecure-transport": true,
        "dial-timeout": "1m30s",
        "auto-sync-interval": "30s",
        "dial-keep-alive-time": "10s",
        "dial-keep-alive-timeout": "3s",
        MaxCallSendMsgSize: 4_194_304,
        username: "root",
        password: "secret",
      }),
    );
    expect(loadConfig(path)).toEqual({
      endpoints: ["http://10.0.0.1:2379"],
      dialTimeoutMs: 90_000,
      autoSyncIntervalMs: 30_000,
      keepAliveIntervalMs: 10_000,
      keepAliveTimeoutMs: 3_000,
      maxSendMessageBytes: 4_194_304,
      auth: { username: "root", password: "secret" },
    });
  });

  it("bad config fails invalid-argument naming the field", () => {
    expectFieldError(() => parseConfig("endpoints: [a:1]\ndial-timout: 5s\n", { source: "c.yaml" }), "dial-timout");
    expectFieldError(() => parseConfig("endpoints: [a:1]\ndial-timeout: true\n"), "dial-timeout");
    expectFieldError(() => parseConfig('endpoints: [a:1]\ndial-timeout: "5"\n'), "dial-timeout");
    expectFieldError(() => parseConfig("dial-timeout: 5s\n"), "endpoints");
    expectFieldError(() => parseConfig("endpoints: 10.0.0.1:2379\n"), "endpoints");
    expectFieldError(() => parseConfig(`endpoints: [a:1]\ncert-file: ${pki.clientCert}\n`), "key-file");
    expectFieldError(() => parseConfig("endpoints: [a:1]\nusername: root\n"), "password");
    expectFieldError(() => parseConfig("endpoints: [a:1]\ntrusted-ca-file: /nonexistent/ca.pem\n"), "trusted-ca-file");
    expectFieldError(() => parseConfig(`endpoints: [a:1]\ninsecure-transport: true\ntrusted-ca-file: ${pki.ca}\n`), "trusted-ca-file");
    expectFieldError(() => parseConfig("endpoints: [a:1]\ninsecure-transport: yes please\n"), "insecure-transport");
    expectFieldError(() => parseConfig("endpoints: [a:1]\nTLS: {}\n"), "TLS");
    expectFieldError(() => parseConfig("endpoints: [a:1\n", { source: "broken.yaml" }), "broken.yaml");
    expectFieldError(() => parseConfig("endpoints: [a:1]\nendpoints: [b:1]\n", { source: "dup.yaml" }), "dup.yaml");
    expectFieldError(() => loadConfig(join(dir, "missing.yaml")), "missing.yaml");
  });

  it("reads etcdctl's environment", () => {
    expect(configFromEnv({})).toEqual({ endpoints: ["http://127.0.0.1:2379"] });
    const config = configFromEnv({
      ETCDCTL_API: "3",
      ETCDCTL_ENDPOINTS: "10.0.0.1:2379, https://10.0.0.2:2379,",
      ETCDCTL_USER: "root:pa:ss",
      ETCDCTL_CACERT: pki.ca,
      ETCDCTL_DIAL_TIMEOUT: "2s",
      ETCDCTL_COMMAND_TIMEOUT: "5s",
      ETCDCTL_INSECURE_SKIP_TLS_VERIFY: "true",
      ETCDCTL_KEY: "",
    });
    expect(config.endpoints).toEqual(["https://10.0.0.1:2379", "https://10.0.0.2:2379"]);
    expect(config.auth).toEqual({ username: "root", password: "pa:ss" });
    expect(config.dialTimeoutMs).toBe(2000);
    expect(config.timeoutMs).toBe(5000);
    expect(String(config.tls?.ca)).toContain("BEGIN CERTIFICATE");
    expect(config.tls?.rejectUnauthorized).toBe(false);
    expect(configFromEnv({ ETCDCTL_USER: "alice", ETCDCTL_PASSWORD: "a:b" }).auth).toEqual({ username: "alice", password: "a:b" });
    expect(configFromEnv({ ETCDCTL_ENDPOINTS: "h:1", ETCDCTL_INSECURE_TRANSPORT: "false" }).endpoints).toEqual(["https://h:1"]);
  });

  it("bad environment fails invalid-argument naming the variable", () => {
    expectFieldError(() => configFromEnv({ ETCDCTL_USER: "root" }), "ETCDCTL_USER");
    expectFieldError(() => configFromEnv({ ETCDCTL_PASSWORD: "x" }), "ETCDCTL_PASSWORD");
    expectFieldError(() => configFromEnv({ ETCDCTL_DIAL_TIMEOUT: "5" }), "ETCDCTL_DIAL_TIMEOUT");
    expectFieldError(() => configFromEnv({ ETCDCTL_COMMAND_TIMEOUT: "soon" }), "ETCDCTL_COMMAND_TIMEOUT");
    expectFieldError(() => configFromEnv({ ETCDCTL_INSECURE_TRANSPORT: "maybe" }), "ETCDCTL_INSECURE_TRANSPORT");
    expectFieldError(() => configFromEnv({ ETCDCTL_CERT: pki.clientCert }), "ETCDCTL_KEY");
    expectFieldError(() => configFromEnv({ ETCDCTL_CACERT: "/nonexistent/ca.pem" }), "ETCDCTL_CACERT");
    expectFieldError(() => configFromEnv({ ETCDCTL_ENDPOINTS: " , " }), "ETCDCTL_ENDPOINTS");
  });

  it("parses Go durations as time.ParseDuration does", () => {
    expect(parseGoDuration("5s")).toBe(5000);
    expect(parseGoDuration("1m30s")).toBe(90_000);
    expect(parseGoDuration("1.5h")).toBe(5_400_000);
    expect(parseGoDuration("250ms")).toBe(250);
    expect(parseGoDuration("1500us")).toBe(1.5);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("-2s")).toBe(-2000);
    for (const bad of ["", "5", "s", "5x", "1m30", " 5s"]) expect(parseGoDuration(bad)).toBeUndefined();
  });

  describe("against an etcd that requires client certificates", () => {
    let cluster: EtcdCluster;
    beforeAll(async () => {
      cluster = await startEtcd({
        scheme: "https",
        flags: [`--cert-file=${pki.serverCert}`, `--key-file=${pki.serverKey}`, `--trusted-ca-file=${pki.ca}`, "--client-cert-auth"],
        healthTls: { cert: readFileSync(pki.clientCert, "utf8"), key: readFileSync(pki.clientKey, "utf8") },
      });
    });
    afterAll(() => cluster?.stop());

    it("a Go YAML config with its certificate files connects", async () => {
      const hostPort = cluster.endpoints[0]!.replace("https://", "");
      const path = file(
        "tls.yaml",
        `endpoints: [${hostPort}]\ndial-timeout: 5s\ncert-file: ${pki.clientCert}\nkey-file: ${pki.clientKey}\ntrusted-ca-file: ${pki.ca}\n`,
      );
      await using client = createClient(loadConfig(path));
      await client.kv.put("config/yaml", "works");
      expect((await client.kv.get("config/yaml"))?.text()).toBe("works");
    });

    it("etcdctl's environment with its certificate files connects", async () => {
      const hostPort = cluster.endpoints[0]!.replace("https://", "");
      const env = { ETCDCTL_ENDPOINTS: hostPort, ETCDCTL_CACERT: pki.ca, ETCDCTL_CERT: pki.clientCert, ETCDCTL_KEY: pki.clientKey };
      await using client = createClient(configFromEnv(env));
      await client.kv.put("config/env", "works");
      expect((await client.kv.get("config/env"))?.text()).toBe("works");
    });

    it("without the client certificate the same config is refused by etcd", async () => {
      const hostPort = cluster.endpoints[0]!.replace("https://", "");
      await using client = createClient({ ...configFromEnv({ ETCDCTL_ENDPOINTS: hostPort, ETCDCTL_CACERT: pki.ca }), dialTimeoutMs: 2_000 });
      const error = await client.kv.get("config/env", { timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect(isEtcdError(error)).toBe(true);
    });
  });
});
