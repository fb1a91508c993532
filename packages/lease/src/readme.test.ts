/**
 * The README's quick start runs as a test against a real etcd: the code block is taken from
 * packages/lease/README.md as it is, pointed at the test's etcd, and its console output checked.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as kvModule from "@etcdkit/kv";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as leaseModule from "./index.js";

const readmePath = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "README.md");

/** The first ```ts block after `heading`. */
async function codeBlockAfter(heading: string): Promise<string> {
  const readme = await readFile(readmePath, "utf8");
  const start = readme.indexOf(heading);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (start < 0 || match === null) throw new Error(`no code block after ${heading}`);
  return match[1]!;
}

/** Replaces `import { a, b } from "pkg";` with bindings from modules handed in at run time. */
function bindImports(code: string): string {
  return code.replace(
    /^import \{([^}]+)\} from "([^"]+)";$/gm,
    (_, names: string, from: string) => `const {${names}} = (globalThis as any).__readmeModules[${JSON.stringify(from)}];`,
  );
}

describe("packages/lease/README.md", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("the quick start runs as written and prints what its comments say", async () => {
    const code = bindImports(await codeBlockAfter("### Quick start")).replace('"http://127.0.0.1:2379"', JSON.stringify(cluster.endpoints[0]));
    const dir = await mkdtemp(path.join(tmpdir(), "etcdkit-lease-readme-"));
    const file = path.join(dir, "quick-start.ts");
    const globals = globalThis as { __readmeModules?: unknown };
    globals.__readmeModules = { "@etcdkit/lease": leaseModule, "@etcdkit/kv": kvModule, "@etcdkit/transport": transportModule };
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.map((arg) => (Array.isArray(arg) ? JSON.stringify(arg) : String(arg))).join(" "));
    });
    try {
      await writeFile(file, `${code}\nexport {};\n`);
      await import(/* @vite-ignore */ pathToFileURL(file).href);
    } finally {
      log.mockRestore();
      delete globals.__readmeModules;
      await rm(dir, { recursive: true, force: true });
    }
    expect(lines).toEqual(["2 true 1", "lost: revoked", "true", "5"]);
  });
});
