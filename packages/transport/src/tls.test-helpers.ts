import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM files made with openssl for one test run. */
export interface TestPki {
  readonly dir: string;
  /** CA that signed the server and client certificates. */
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** An unrelated CA (for "wrong CA" tests). */
  readonly otherCa: string;
  /** Paths of the server files, for etcd flags. */
  readonly paths: { ca: string; serverCert: string; serverKey: string };
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/**
 * Creates a CA, a server certificate for 127.0.0.1/localhost and a client certificate (ECDSA
 * P-256, valid one day), plus an unrelated CA.
 *
 * @example
 * ```ts
 * const pki = makeTestPki();
 * startEtcd({ scheme: "https", flags: [`--cert-file=${pki.paths.serverCert}`, ...] });
 * ```
 */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "etcdkit-pki-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(dir, ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=etcdkit test CA"]);
  openssl(dir, ["req", "-x509", ...ec, "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "1", "-subj", "/CN=other CA"]);
  writeFileSync(
    join(dir, "server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n",
  );
  writeFileSync(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n");
  for (const [name, cn] of [
    ["server", "etcd server"],
    ["client", "root"],
  ] as const) {
    openssl(dir, ["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`]);
    openssl(dir, [
      "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
      "-out", `${name}.pem`, "-days", "1", "-extfile", `${name}.ext`,
    ]);
  }
  const read = (f: string): string => readFileSync(join(dir, f), "utf8");
  return {
    dir,
    ca: read("ca.pem"),
    serverCert: read("server.pem"),
    serverKey: read("server.key"),
    clientCert: read("client.pem"),
    clientKey: read("client.key"),
    otherCa: read("other-ca.pem"),
    paths: { ca: join(dir, "ca.pem"), serverCert: join(dir, "server.pem"), serverKey: join(dir, "server.key") },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
