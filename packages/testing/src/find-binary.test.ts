import { chmodSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findEtcdBinary, findEtcdctlBinary } from "./find-binary.js";
import { createOwnedTempDir } from "./temp-root.js";

describe("findEtcdBinary / findEtcdctlBinary", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const fakeBin = (name: string): string => {
    dir ??= createOwnedTempDir("find-binary");
    const file = path.join(dir, name);
    writeFileSync(file, "#!/bin/sh\n");
    chmodSync(file, 0o755);
    return file;
  };

  it("finds the real binaries on PATH", () => {
    expect(path.basename(findEtcdBinary())).toBe("etcd");
    expect(path.basename(findEtcdctlBinary())).toBe("etcdctl");
  });

  it("prefers ETCD_BIN / ETCDCTL_BIN over PATH", () => {
    const etcd = fakeBin("my-etcd");
    const etcdctl = fakeBin("my-etcdctl");
    expect(findEtcdBinary({ ETCD_BIN: etcd, PATH: "/usr/bin" })).toBe(etcd);
    expect(findEtcdctlBinary({ ETCDCTL_BIN: etcdctl, PATH: "/usr/bin" })).toBe(etcdctl);
  });

  it("searches each PATH entry and skips non-executable files", () => {
    const etcd = fakeBin("etcd");
    const other = createOwnedTempDir("find-binary-other");
    try {
      writeFileSync(path.join(other, "etcd"), "not executable");
      expect(findEtcdBinary({ PATH: [other, path.dirname(etcd)].join(path.delimiter) })).toBe(etcd);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("explains how to install etcd when it is missing", () => {
    expect(() => findEtcdBinary({ PATH: "/nonexistent" })).toThrow(
      "etcd not found: set ETCD_BIN or install it (Debian: apt-get install -y etcd-server etcd-client)",
    );
    expect(() => findEtcdctlBinary({ PATH: "" })).toThrow(
      "etcdctl not found: set ETCDCTL_BIN or install it (Debian: apt-get install -y etcd-client)",
    );
  });

  it("rejects an ETCD_BIN that does not point to an executable", () => {
    expect(() => findEtcdBinary({ ETCD_BIN: "/nonexistent/etcd", PATH: "/usr/bin" })).toThrow(
      /etcd not found: set ETCD_BIN .*ETCD_BIN=\/nonexistent\/etcd is not an executable file/,
    );
  });
});
