import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runScript } from "@etcdkit/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/**
 * Snapshot options are read from own properties only: a polluted Object.prototype can neither
 * switch the trailer check off nor leave a stream target open. Runs in a child process against
 * small fake members (one of which sends a wrong trailer).
 */
describe("snapshot options with a polluted Object.prototype", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "etcdkit-polluted-snapshot-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("verification stays on, the target is ended, no inherited onProgress or maxBytes", async () => {
    const { code, stdout, stderr } = await runScript(new URL("./polluted-options.test-helpers.ts", import.meta.url), [dir]);
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({
      verify: "error: corrupt",
      end: true,
      onProgress: 0,
      maxBytes: 2032,
    });
    expect((await readdir(dir)).sort()).toEqual(["sound.db", "sound2.db"]);
  });
});
