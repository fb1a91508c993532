/**
 * The README's quick start runs as a test against a real etcd: the code block is taken from
 * packages/auth/README.md as it is, pointed at the test's etcd, and its output checked.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as connectModule from "@connectrpc/connect";
import * as rpcModule from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import * as transportModule from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as authModule from "./index.js";

const readmePath = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "README.md");

/**
 * Runs the first ```ts block after `heading` in this package's README.md as written, with its
 * `import { … } from "…"` lines bound to `modules` and each [from, to] of `replace` applied;
 * returns what it printed with console.log, one string per call.
 */
async function runReadmeBlock(
  heading: string,
  modules: Record<string, unknown>,
  replace: ReadonlyArray<readonly [string, string]>,
): Promise<string[]> {
  const readme = await readFile(readmePath, "utf8");
  const start = readme.indexOf(heading);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (start < 0 || match === null) throw new Error(`no code block after ${heading}`);
  let code = match[1]!.replace(
    /^import \{([^}]+)\} from "([^"]+)";$/gm,
    (_, names: string, from: string) => `const {${names}} = (globalThis as any).__readmeModules[${JSON.stringify(from)}];`,
  );
  for (const [from, to] of replace) {
    if (!code.includes(from)) throw new Error(`the README block no longer contains ${from}`);
    code = code.replaceAll(from, to);
  }
  const dir = await mkdtemp(path.join(tmpdir(), "etcdkit-readme-"));
  const file = path.join(dir, "readme-block.ts");
  const globals = globalThis as { __readmeModules?: unknown };
  globals.__readmeModules = modules;
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map((arg) => String(arg)).join(" "));
  });
  try {
    await writeFile(file, `${code}\nexport {};\n`);
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    log.mockRestore();
    delete globals.__readmeModules;
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}

describe("packages/auth/README.md", () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(() => etcd?.stop());

  it("the quick start runs as written: the reader reads, is denied a write, and auth is disabled again", async () => {
    const lines = await runReadmeBlock(
      "### Quick start",
      {
        "@connectrpc/connect": connectModule,
        "@etcdkit/api/etcdserverpb/rpc_pb": rpcModule,
        "@etcdkit/auth": authModule,
        "@etcdkit/transport": transportModule,
      },
      [['"http://127.0.0.1:2379"', JSON.stringify(etcd.endpoints[0])]],
    );
    expect(lines).toEqual(["0", "true"]);
    // Auth is off again: an anonymous write works.
    const transport = transportModule.createTransport({ endpoints: etcd.endpoints });
    try {
      await connectModule.createClient(rpcModule.KV, transport).put({ key: transportModule.toBytes("app/x"), value: new Uint8Array() });
    } finally {
      await transport.close();
    }
  });
});
