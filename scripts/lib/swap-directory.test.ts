import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { swapDirectory } from "./swap-directory.js";
import { createOwnedTempDir } from "@etcdkit/testing";

const temp = createOwnedTempDir("swap");
afterAll(() => rmSync(temp, { recursive: true, force: true }));
let cases = 0;

function setUp(): { dir: string; staging: string; target: string } {
  const dir = join(temp, `case-${cases++}`);
  const staging = join(dir, ".proto.staging");
  const target = join(dir, "proto");
  mkdirSync(staging, { recursive: true });
  mkdirSync(target);
  writeFileSync(join(staging, "new.proto"), "new");
  writeFileSync(join(target, "old.proto"), "old");
  return { dir, staging, target };
}

describe("swapDirectory", () => {
  it("replaces the target with the staging directory and leaves nothing else behind", () => {
    const { dir, staging, target } = setUp();
    swapDirectory(staging, target);
    expect(readdirSync(target)).toEqual(["new.proto"]);
    expect(readdirSync(dir)).toEqual(["proto"]);
  });

  it("creates a target that does not exist", () => {
    const { dir, staging, target } = setUp();
    rmSync(target, { recursive: true });
    swapDirectory(staging, target);
    expect(readFileSync(join(target, "new.proto"), "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["proto"]);
  });

  it("puts the old target back when moving the staging directory in fails", () => {
    const { dir, staging, target } = setUp();
    let renames = 0;
    const failingSecondRename = (from: string, to: string): void => {
      if (++renames === 2) throw Object.assign(new Error("EXDEV: cross-device link not permitted"), { code: "EXDEV" });
      renameSync(from, to);
    };
    expect(() => swapDirectory(staging, target, { rename: failingSecondRename })).toThrow(/EXDEV/);
    expect(readdirSync(target)).toEqual(["old.proto"]);
    expect(readFileSync(join(target, "old.proto"), "utf8")).toBe("old");
    expect(existsSync(staging)).toBe(false);
    expect(readdirSync(dir)).toEqual(["proto"]);
  });
});
