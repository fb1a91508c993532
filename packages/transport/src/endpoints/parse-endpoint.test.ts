import { thrownBy } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { parseEndpoint } from "./parse-endpoint.js";

describe("parseEndpoint ports", () => {
  it("keeps an explicit port equal to the scheme's default (URL drops it; it is not etcd's 2379)", () => {
    const cases: Array<[string, string, string, number]> = [
      ["https://etcd.example.com:443", "https://etcd.example.com:443", "etcd.example.com", 443],
      ["http://etcd.example.com:80", "http://etcd.example.com:80", "etcd.example.com", 80],
      ["https://[::1]:443", "https://[::1]:443", "::1", 443],
      ["http://[::1]:80", "http://[::1]:80", "::1", 80],
      ["HTTPS://Etcd.Example.com:443/", "https://etcd.example.com:443", "etcd.example.com", 443],
      ["https://10.0.0.1:0443", "https://10.0.0.1:443", "10.0.0.1", 443],
      ["http://h:8\t0", "http://h:80", "h", 80],
    ];
    for (const [raw, url, host, port] of cases) {
      const endpoint = parseEndpoint(raw);
      expect([raw, endpoint.url, endpoint.authority, endpoint.host, endpoint.port]).toEqual([raw, url, url, host, port]);
    }
  });

  it("keeps an explicit port that is not the scheme's default", () => {
    expect(parseEndpoint("http://h:443")).toMatchObject({ url: "http://h:443", port: 443 });
    expect(parseEndpoint("https://h:80")).toMatchObject({ url: "https://h:80", port: 80 });
    expect(parseEndpoint("https://[2001:db8::7]:2380")).toMatchObject({ url: "https://[2001:db8::7]:2380", host: "2001:db8::7", port: 2380 });
  });

  it("gives 2379 (etcd's client port) only to a URL with no port at all", () => {
    const cases: Array<[string, string]> = [
      ["http://h", "http://h:2379"],
      ["https://h/", "https://h:2379"],
      ["http://h:", "http://h:2379"],
      ["https://[::1]", "https://[::1]:2379"],
      ["http://[::1]/", "http://[::1]:2379"],
    ];
    for (const [raw, url] of cases) {
      const endpoint = parseEndpoint(raw);
      expect([raw, endpoint.url, endpoint.port]).toEqual([raw, url, 2379]);
    }
  });

  it("rejects a port out of range with invalid-argument", () => {
    for (const raw of ["http://h:65536", "https://[::1]:99999", "http://h:-1", "http://h:8o"]) {
      expect([raw, isEtcdError(thrownBy(() => parseEndpoint(raw)), "invalid-argument")]).toEqual([raw, true]);
    }
  });
});

describe("parseEndpoint redacts credentials", () => {
  const secret = "hunter2";
  const cases = [
    "http://root:hunter2@127.0.0.1:notaport", // userinfo, then a URL that does not parse
    "http://root:hunter2@[::1:2379", // broken IPv6 literal
    "http://root:hun/ter2@etcd:2379", // a password with "/" cuts the authority short
    "unix://root:hunter2@/tmp/etcd.sock", // another scheme
    "ftp://root:hunter2@etcd:2379",
    "http://root:hunter2@etcd:2379/v3", // a path
    "http://root:hunter2@etcd:2379?x=1",
    "root:hunter2@etcd:2379", // no scheme at all
    "http://root:hunter2@@etcd:2379",
  ];

  it("never puts a password embedded in an endpoint URL into the error, whichever check fails", () => {
    for (const raw of cases) {
      const error = thrownBy(() => parseEndpoint(raw));
      expect([raw, isEtcdError(error, "invalid-argument")]).toEqual([raw, true]);
      const text = `${(error as Error).message} ${String((error as { rawMessage?: string }).rawMessage)} ${(error as Error).stack ?? ""}`;
      expect([raw, text.includes(secret) || text.includes("hun/ter2")]).toEqual([raw, false]);
    }
  });

  it("still names the host it could not use", () => {
    const error = thrownBy(() => parseEndpoint("http://root:hunter2@127.0.0.1:notaport")) as Error;
    expect(error.message).toContain("127.0.0.1:notaport");
    expect(error.message).toContain("***@");
  });
});
