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
