import { isEtcdError } from "@etcdkit/transport";
import { describe, expect, it } from "vitest";
import { formatMemberId, parseMemberId } from "./member-id.js";
import { checkPeerUrls } from "./peer-urls.js";

describe("member IDs", () => {
  it("format as etcdctl prints them and parse back", () => {
    expect(formatMemberId(0x8e9e05c52164694dn)).toBe("8e9e05c52164694d");
    expect(parseMemberId("8e9e05c52164694d")).toBe(0x8e9e05c52164694dn);
    expect(parseMemberId("0xffffffffffffffff")).toBe((1n << 64n) - 1n);
  });

  it.each(["", "xyz", "0", "1ffffffffffffffff", "-1"])("rejects %j", (text) => {
    expect(() => parseMemberId(text)).toThrow(expect.objectContaining({ reason: "invalid-argument" }));
  });

});

describe("checkPeerUrls", () => {
  it.each([["http://10.0.0.4:2380"], ["https://[::1]:2380"], ["unix://etcd.sock:0"], ["http://h:80", "http://h:81"]])(
    "accepts %j",
    (...urls) => {
      expect(checkPeerUrls(urls, "t")).toEqual(urls);
    },
  );

  it.each(["10.0.0.4:2380", "http://10.0.0.4", "http://10.0.0.4:2380/", "http://10.0.0.4:2380/x", "http://h:1?a=b", "ftp://h:1"])(
    "rejects %j with invalid-argument",
    (url) => {
      let thrown: unknown;
      try {
        checkPeerUrls([url], "memberAdd");
      } catch (err) {
        thrown = err;
      }
      expect(isEtcdError(thrown, "invalid-argument")).toBe(true);
    },
  );
});
