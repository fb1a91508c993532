/**
 * The README's quick start runs as a test against a real etcd: the code block is taken from
 * packages/maintenance/README.md as it is, pointed at the test's etcd and a temp file, and its
 * output checked.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { codeBlockAfter, runReadmeBlock, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as maintenanceModule from "./index.js";

describe("packages/maintenance/README.md", () => {
  let etcd: EtcdCluster;
  let dir: string;
  beforeAll(async () => {
    etcd = await startEtcd();
    dir = await mkdtemp(path.join(tmpdir(), "etcdkit-maintenance-readme-"));
  });
  afterAll(async () => {
    await etcd?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("the quick start runs as written and prints what it says", async () => {
    const file = path.join(dir, "etcd-backup.db");
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
      modules: { "@etcdkit/maintenance": maintenanceModule, "@etcdkit/transport": transportModule },
      replace: [
        ['"http://127.0.0.1:2379"', JSON.stringify(etcd.endpoints[0])],
        ['"/tmp/etcd-backup.db"', JSON.stringify(file)],
      ],
    });
    const { size } = await stat(file);
    expect(lines[0]).toBe("3.4.23 leader true");
    expect(lines[1]).toBe("alarms: 0");
    expect(lines.at(-2)).toBe(`snapshot ${size}/${size} bytes`);
    expect(lines.at(-1)).toBe(`saved ${size} bytes, sha256 64 hex digits`);
  });
});
