import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { codeBlockAfter, codeBlocks, runReadmeBlock } from "./readme-examples.js";
import { tempRootPrefix } from "./temp-root.js";

const fence = "```";

const markdown = [
  `${fence}ts`,
  "const before = 0;",
  fence,
  "# Title",
  "",
  `${fence}sh`,
  "# not a heading: a comment in a shell block",
  "npm install",
  fence,
  "",
  "### Quick start ###",
  "",
  `${fence}ts`,
  "const a = 1;",
  "",
  "const b = 2;",
  fence,
  "",
  "## Layout",
  "",
  `${fence}${fence[0]}`,
  `${fence}ts`,
  "inside a four-backtick fence: not a ts block",
  fence,
  `${fence}${fence[0]}`,
  "",
  "~~~ts",
  "const tilde = 3;",
  "~~~",
  "  ```ts",
  "    const indented = 4;",
  "  ```",
  `${fence}typescript`,
  "not counted: only ts",
  fence,
  "",
].join("\n");

describe("codeBlocks", () => {
  it("returns every ts block with the nearest heading of any level, ignoring fenced lines", () => {
    expect(codeBlocks(markdown)).toEqual([
      { heading: "", code: "const before = 0;" },
      { heading: "Quick start", code: "const a = 1;\n\nconst b = 2;" },
      { heading: "Layout", code: "const tilde = 3;" },
      { heading: "Layout", code: "  const indented = 4;" },
    ]);
  });

  it("keeps the words after ts in the info string as the block's variant", () => {
    expect(codeBlocks(`## Old\n${fence}ts etcd3\nold();\n${fence}\n${fence}ts\nnew();\n${fence}\n`)).toEqual([
      { heading: "Old", code: "old();", variant: "etcd3" },
      { heading: "Old", code: "new();" },
    ]);
    expect(codeBlocks(`${fence}ts\nx;\n${fence}\n`)[0]).not.toHaveProperty("variant");
  });

  it("reads CRLF files and rejects an unclosed fence", () => {
    expect(codeBlocks(`## H\r\n${fence}ts\r\nx;\r\n${fence}\r\n`)).toEqual([{ heading: "H", code: "x;" }]);
    expect(() => codeBlocks(`## H\n${fence}ts\nx;\n`)).toThrow(/unclosed ```ts block at line 2/);
  });
});

describe("codeBlockAfter", () => {
  it("finds the first ts block after a heading given as a whole line or as text", () => {
    expect(codeBlockAfter(markdown, "### Quick start")).toBe("const a = 1;\n\nconst b = 2;");
    expect(codeBlockAfter(markdown, "Quick start")).toBe("const a = 1;\n\nconst b = 2;");
    expect(codeBlockAfter(markdown, "Title")).toBe("const a = 1;\n\nconst b = 2;");
    expect(codeBlockAfter(markdown, "## Layout")).toBe("const tilde = 3;");
  });

  it("throws when the heading (at that level) or a block after it is missing", () => {
    expect(() => codeBlockAfter(markdown, "## Quick start")).toThrow("no heading ## Quick start");
    expect(() => codeBlockAfter(markdown, "Nope")).toThrow("no heading Nope");
    expect(() => codeBlockAfter("# Last\n\nno code\n", "Last")).toThrow("no ```ts block after heading Last");
  });
});

/** Globals runReadmeBlock() sets while a block runs. */
function readmeGlobals(): string[] {
  return Object.keys(globalThis).filter((key) => key.startsWith("__etcdkitReadmeModules"));
}

describe("runReadmeBlock", () => {
  it("binds named, renamed, default, namespace and multi-line imports to the modules handed in", async () => {
    const greet = { hello: (name: string) => `hello ${name}`, default: "the default", version: 7 };
    const code = [
      'import { hello, version as v } from "greet";',
      'import type { Unused } from "types-only";',
      'import greeting, { type Ignored } from "greet";',
      'import * as whole from "greet";',
      "import {",
      "  hello as hi,",
      "} from 'greet';",
      'import { join } from "node:path";',
      "",
      'console.log(hello("a"), v, greeting, Object.keys(whole).sort().join(","), hi("b"));',
      'console.log(join("x", "y"));',
      "console.log(new Error().stack?.includes(':12:') ? 'line numbers kept' : new Error().stack);",
    ].join("\n");
    const lines = await runReadmeBlock(code, { modules: { greet } });
    expect(lines).toEqual(["hello a 7 the default default,hello,version hello b", "x/y", "line numbers kept"]);
  });

  it("formats arguments as the README runners did: arrays as JSON, the rest via String()", async () => {
    const lines = await runReadmeBlock('console.log(["a", 1], 2n, true, undefined, { k: 1 }, "s");\nconsole.log();', { modules: {} });
    expect(lines).toEqual(['["a",1] 2 true undefined [object Object] s', ""]);
  });

  it("applies replacements (record or pairs) and fails when one no longer matches", async () => {
    const code = 'console.log("http://127.0.0.1:2379", "http://127.0.0.1:2379", "/tmp/x.db");';
    expect(await runReadmeBlock(code, { modules: {}, replace: { "http://127.0.0.1:2379": "$&-literal" } })).toEqual([
      "$&-literal $&-literal /tmp/x.db",
    ]);
    expect(
      await runReadmeBlock(code, {
        modules: {},
        replace: [
          [/127\.0\.0\.1:(\d+)/g, "host:$1"],
          ['"/tmp/x.db"', '"/elsewhere.db"'],
        ],
      }),
    ).toEqual(["http://host:2379 http://host:2379 /elsewhere.db"]);
    await expect(runReadmeBlock(code, { modules: {}, replace: { "localhost:2379": "x" } })).rejects.toThrow(
      "the README block no longer contains localhost:2379",
    );
    await expect(runReadmeBlock(code, { modules: {}, replace: [[/localhost/, "x"]] })).rejects.toThrow(
      "the README block no longer matches /localhost/",
    );
  });

  it("refuses an import that is not in modules, before running anything", async () => {
    await expect(runReadmeBlock('import { x } from "missing";\nconsole.log(x);', { modules: { other: {} } })).rejects.toThrow(
      'the README block imports "missing", which is not in modules (other)',
    );
  });

  it("cleans up after a block that throws: console.log, the modules global and the temp dir", async () => {
    const originalLog = console.log;
    let url: string | undefined;
    const probe = { record: (u: string) => void (url = u) };
    const code = 'import { record } from "probe";\nrecord(import.meta.url);\nconsole.log("before the throw");\nthrow new Error("boom");';
    await expect(runReadmeBlock(code, { modules: { probe } })).rejects.toThrow("boom");
    expect(console.log).toBe(originalLog);
    expect(readmeGlobals()).toEqual([]);
    expect(url).toBeDefined();
    const dir = path.dirname(fileURLToPath(url!));
    expect(dir.startsWith(tempRootPrefix())).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it("cleans up after a block that runs, too", async () => {
    const originalLog = console.log;
    let url: string | undefined;
    const probe = { record: (u: string) => void (url = u) };
    const lines = await runReadmeBlock('import { record } from "probe";\nawait Promise.resolve();\nrecord(import.meta.url);\nconsole.log("ok");', {
      modules: { probe },
    });
    expect(lines).toEqual(["ok"]);
    expect(console.log).toBe(originalLog);
    expect(readmeGlobals()).toEqual([]);
    expect(existsSync(path.dirname(fileURLToPath(url!)))).toBe(false);
  });
});
