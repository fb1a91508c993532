/**
 * The README's TypeScript blocks run as written against a real etcd: each block is saved as a
 * module with the README's example endpoints pointed at a test etcd, and run with tsx.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { codeBlocks, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const workDir = join(repoRoot, "examples", `.readme-run-${process.pid}`);

const blocks = codeBlocks(readFileSync(join(repoRoot, "README.md"), "utf8"));

describe("README examples, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
    mkdirSync(workDir, { recursive: true });
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("has runnable blocks for the packages", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  it.each(blocks.map((b, i) => [i, b.heading, b.code] as const))("block %i (%s) runs", async (i, _heading, code) => {
    const endpoint = cluster.endpoints[0]!;
    const source = code
      .replace(/http:\/\/127\.0\.0\.1:(2379|22379|32379)\b/g, endpoint)
      .replace(/\/tmp\/etcd-backup\.db/g, join(workDir, `backup-${i}.db`));
    const file = join(workDir, `block-${i}.ts`);
    writeFileSync(file, `${source}\nexport {};\n`);
    const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
    await run(tsx, ["--conditions=@etcdkit/source", file], { cwd: join(repoRoot, "examples"), timeout: 60_000 });
  });
});
