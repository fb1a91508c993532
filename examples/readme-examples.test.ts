/**
 * The TypeScript blocks of the root README and of the guides in docs/ run as written against a
 * real etcd: each block is saved as a module with the example endpoints pointed at a test etcd
 * (one per markdown file), and run with tsx, in the order of the file. Every key is deleted before
 * each block, so a block sees only what it writes itself, as a reader trying it alone would.
 *
 * A plain ```ts block is etcdkit code and runs from examples/. A ```ts etcd3 block is code for
 * the `etcd3` npm package, shown beside ours in the migration guide: it runs from bench/, where
 * that package is installed, so the guide's etcd3 calls are real ones. Any other variant fails.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createKV } from "@etcdkit/kv";
import { codeBlocks, startEtcd, type CodeBlock, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
/** The workspace's export condition for TypeScript sources, as the tsconfig names it. */
const sourceConditions = (
  JSON.parse(readFileSync(join(repoRoot, "tsconfig.base.json"), "utf8")) as { compilerOptions: { customConditions: string[] } }
).compilerOptions.customConditions.map((condition) => `--conditions=${condition}`);
/** Where each kind of block runs: the folder whose node_modules its imports resolve from. */
const runFrom: Record<string, string> = { "": join(repoRoot, "examples"), etcd3: join(repoRoot, "bench") };

const files = ["README.md", ...readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];

/** The least number of blocks each file must have, so a broken fence cannot silently empty a file. */
const minimumBlocks: Record<string, number> = {
  "README.md": 4,
  "docs/migrating-from-etcd3.md": 10,
  "docs/go-to-typescript.md": 3,
};

for (const file of files) {
  const blocks: CodeBlock[] = codeBlocks(readFileSync(join(repoRoot, file), "utf8"));

  describe(`${file} examples, against a real etcd`, () => {
    let cluster: EtcdCluster;
    let transport: EtcdTransport;
    const workDirs = Object.values(runFrom).map((dir) => join(dir, `.readme-run-${process.pid}`));
    beforeAll(async () => {
      cluster = await startEtcd();
      transport = createTransport({ endpoints: cluster.endpoints });
      for (const dir of workDirs) mkdirSync(dir, { recursive: true });
    });
    afterAll(async () => {
      await transport?.close();
      await cluster?.stop();
      for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
    });

    it("has its runnable blocks", () => {
      expect(blocks.length).toBeGreaterThanOrEqual(minimumBlocks[file] ?? 1);
      for (const block of blocks) expect(Object.keys(runFrom)).toContain(block.variant ?? "");
    });

    it.each(blocks.map((b, i) => [i, b.variant ?? "etcdkit", b.heading, b] as const))(
      "block %i (%s, %s) runs",
      async (i, _kind, _heading, block) => {
        const workDir = join(runFrom[block.variant ?? ""]!, `.readme-run-${process.pid}`);
        const endpoint = cluster.endpoints[0]!;
        const source = block.code
          .replace(/http:\/\/127\.0\.0\.1:(2379|22379|32379)\b/g, endpoint)
          .replace(/\/tmp\/etcd-backup\.db/g, join(workDir, `backup-${i}.db`));
        await createKV(transport).delete("\0", { fromKey: true }); // every key
        const path = join(workDir, `${file.replace(/[/.]/g, "-")}-block-${i}.ts`);
        writeFileSync(path, `${source}\nexport {};\n`);
        await run(tsx, [...sourceConditions, path], { cwd: runFrom[block.variant ?? ""], timeout: 60_000 });
      },
    );
  });
}
