/**
 * Running README code blocks as tests: find the ```ts blocks of a markdown file, and run one
 * in this process with its imports bound to modules the test hands in, capturing what it
 * prints with console.log.
 *
 * Nothing here imports an etcdkit package (that would be a cycle): each test passes the
 * modules its README block imports.
 */
import { randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { createTempRoot } from "./temp-root.js";

/**
 * One ```ts block of a markdown file, under the nearest heading above it.
 *
 * @example
 * ```ts
 * const block: CodeBlock = { heading: "Quick start", code: 'console.log("hi");' };
 * ```
 */
export interface CodeBlock {
  /** Text of the nearest preceding ATX heading of any level, without the `#`s ("" before the first). */
  heading: string;
  /** The lines between the fences, joined with "\n" (no trailing newline). */
  code: string;
  /**
   * The rest of the info string after `ts`, when there is one: "etcd3" for a block opened with
   * ```` ```ts etcd3 ````. Absent for a plain ```` ```ts ```` block.
   */
  variant?: string;
}

/** One heading or fenced block of a markdown file, in document order. */
type MarkdownItem =
  | { kind: "heading"; level: number; text: string }
  | { kind: "fence"; lang: string; variant: string; code: string };

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})[ \t]*([^`]*?)[ \t]*$/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;

/**
 * Headings and fenced code blocks, in order. Lines inside a fence (of any language) are never
 * headings, so a `# comment` in a ```sh block does not count.
 */
function scanMarkdown(markdown: string): MarkdownItem[] {
  const lines = markdown.split(/\r?\n/);
  const items: MarkdownItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE_OPEN.exec(line);
    if (fence !== null) {
      const [, indent, marker, info] = fence as unknown as [string, string, string, string];
      const closing = new RegExp(`^ {0,3}${marker[0] === "`" ? "`" : "~"}{${marker.length},}[ \\t]*$`);
      let end = i + 1;
      while (end < lines.length && !closing.test(lines[end]!)) end++;
      if (end === lines.length) throw new Error(`unclosed ${marker}${info} block at line ${i + 1}`);
      // CommonMark: content lines lose up to as many leading spaces as the opening fence had.
      const strip = new RegExp(`^ {0,${indent.length}}`);
      const code = lines
        .slice(i + 1, end)
        .map((l) => l.replace(strip, ""))
        .join("\n");
      const [lang = "", ...rest] = info.split(/\s+/);
      items.push({ kind: "fence", lang, variant: rest.join(" "), code });
      i = end;
      continue;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading !== null) items.push({ kind: "heading", level: heading[1]!.length, text: heading[2] ?? "" });
  }
  return items;
}

/**
 * Every ```ts block of `markdown`, in order, each with the text of the nearest preceding heading
 * (any level, `#`s stripped; "" for a block above the first heading) and, for a block opened with
 * more words after `ts` (```` ```ts etcd3 ````), those words as its `variant`.
 *
 * @example
 * ```ts
 * codeBlocks("## Quick start\n\n```ts\nconsole.log(1);\n```\n");
 * // [{ heading: "Quick start", code: "console.log(1);" }]
 * ```
 */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let heading = "";
  for (const item of scanMarkdown(markdown)) {
    if (item.kind === "heading") heading = item.text;
    else if (item.lang === "ts") blocks.push(item.variant === "" ? { heading, code: item.code } : { heading, code: item.code, variant: item.variant });
  }
  return blocks;
}

/**
 * The code of the first ```ts block after the first heading matching `heading`; throws when
 * there is no such heading or no ```ts block after it. `heading` is either the whole heading
 * line ("### Quick start", which also pins the level) or just its text ("Quick start").
 *
 * @example
 * ```ts
 * const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
 * const code = codeBlockAfter(readme, "### Quick start");
 * ```
 */
export function codeBlockAfter(markdown: string, heading: string): string {
  const wanted = ATX_HEADING.exec(heading.trim());
  const level = wanted === null ? undefined : wanted[1]!.length;
  const text = wanted === null ? heading.trim() : (wanted[2] ?? "");
  let found = false;
  for (const item of scanMarkdown(markdown)) {
    if (!found) {
      found = item.kind === "heading" && item.text === text && (level === undefined || item.level === level);
    } else if (item.kind === "fence" && item.lang === "ts") {
      return item.code;
    }
  }
  throw new Error(found ? `no \`\`\`ts block after heading ${heading}` : `no heading ${heading}`);
}

/**
 * How runReadmeBlock() runs a block.
 *
 * @example
 * ```ts
 * const options: RunReadmeBlockOptions = {
 *   modules: { "@etcdkit/kv": kvModule },
 *   replace: { '"http://127.0.0.1:2379"': JSON.stringify(endpoint) },
 * };
 * ```
 */
export interface RunReadmeBlockOptions {
  /**
   * Module namespaces by import specifier. Every `import … from "x"` of the block is bound to
   * `modules["x"]`; an import of a specifier not in here fails, except `node:` builtins, which
   * are imported for real. `import type` lines and `type` specifiers are dropped.
   */
  modules: Record<string, unknown>;
  /**
   * Applied, in order, to the block as written (before imports are bound). Each pattern must
   * occur, else the run fails: the README changed under the test. A string pattern replaces
   * every occurrence, literally; a RegExp replaces as String.prototype.replace does (every match
   * when global, `$1` etc. in the replacement).
   */
  replace?: Record<string, string> | ReadonlyArray<readonly [RegExp | string, string]>;
}

/** Matches one import declaration on one or more lines: default, namespace, named, or a mix. */
const IMPORT =
  /^import[ \t]+(type[ \t]+)?((?:[\w$]+[ \t]*,\s*)?(?:\{[^}]*\}|\*[ \t]*as[ \t]+[\w$]+)|[\w$]+)\s+from[ \t]+(["'])([^"'\n]+)\3[ \t]*;?[ \t]*$/gm;

/** `{ a, type B, c as d }` → `{ a, c: d }` (a destructuring pattern). */
function namedPattern(braced: string): string {
  const names = braced
    .slice(1, -1)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "" && !/^type\s/.test(s))
    .map((s) => s.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, "$1: $2"));
  return `{ ${names.join(", ")} }`;
}

/** Rewrites the import declarations of `code` into bindings from `globalThis[globalKey]`. */
function bindImports(code: string, modules: Record<string, unknown>, globalKey: string): string {
  return code.replace(IMPORT, (whole: string, typeOnly: string | undefined, clause: string, _q: string, from: string) => {
    // Keep the line count, so line numbers in stack traces still point into the README block.
    const newlines = "\n".repeat(whole.split("\n").length - 1);
    if (typeOnly !== undefined) return newlines;
    if (!Object.hasOwn(modules, from)) {
      if (from.startsWith("node:")) return whole;
      throw new Error(`the README block imports "${from}", which is not in modules (${Object.keys(modules).join(", ")})`);
    }
    const source = `(globalThis as any)[${JSON.stringify(globalKey)}][${JSON.stringify(from)}]`;
    // clause: `name`, `{ … }`, `* as ns`, `name, { … }` or `name, * as ns`
    const leading = /^([\w$]+)[ \t]*(?:,\s*)?/.exec(clause);
    const defaultName = leading?.[1];
    const rest = leading === null ? clause : clause.slice(leading[0].length);
    const statements: string[] = [];
    if (defaultName !== undefined) statements.push(`const ${defaultName} = ${source}.default;`);
    const namespace = /^\*\s*as\s+([\w$]+)$/.exec(rest);
    if (namespace !== null) statements.push(`const ${namespace[1]} = ${source};`);
    else if (rest.startsWith("{")) statements.push(`const ${namedPattern(rest)} = ${source};`);
    return statements.join(" ") + newlines;
  });
}

function applyReplacements(code: string, replace: RunReadmeBlockOptions["replace"]): string {
  const pairs = replace === undefined ? [] : Array.isArray(replace) ? replace : Object.entries(replace);
  for (const [pattern, to] of pairs as ReadonlyArray<readonly [RegExp | string, string]>) {
    if (typeof pattern === "string") {
      if (!code.includes(pattern)) throw new Error(`the README block no longer contains ${pattern}`);
      code = code.replaceAll(pattern, () => to);
    } else {
      pattern.lastIndex = 0;
      if (!pattern.test(code)) throw new Error(`the README block no longer matches ${pattern}`);
      pattern.lastIndex = 0;
      code = code.replace(pattern, to);
    }
  }
  return code;
}

/** One console.log argument as a captured line shows it: arrays as JSON, everything else via String(). */
function formatArg(arg: unknown): string {
  return Array.isArray(arg) ? JSON.stringify(arg) : String(arg);
}

/**
 * Runs a README code block in this process and returns what it printed with console.log, one
 * string per call: the arguments joined with " ", an array as JSON (`["a","b"]`), anything
 * else via String() (so `1n` prints as "1").
 *
 * The block's imports are bound to `options.modules`, `options.replace` is applied, and the
 * result is written to a temp .ts file and imported (so it runs under the test runner's
 * TypeScript transform; top-level await works). console.log is patched only while the block
 * runs; the temp dir, the global that carries the modules and console.log are restored even
 * when the block throws, and the error is rethrown. Runs must not overlap: console.log is
 * process-wide.
 *
 * @example
 * ```ts
 * const lines = await runReadmeBlock(codeBlockAfter(readme, "### Quick start"), {
 *   modules: { "@etcdkit/kv": kvModule, "@etcdkit/transport": transportModule },
 *   replace: { '"http://127.0.0.1:2379"': JSON.stringify(cluster.endpoints[0]) },
 * });
 * expect(lines[0]).toBe("sample_value 1 true");
 * ```
 */
export async function runReadmeBlock(code: string, options: RunReadmeBlockOptions): Promise<string[]> {
  const globalKey = `__etcdkitReadmeModules_${randomUUID().replaceAll("-", "")}`;
  const source = bindImports(applyReplacements(code, options.replace), options.modules, globalKey);
  const globals = globalThis as Record<string, unknown>;
  const dir = createTempRoot();
  const file = path.join(dir, "readme-block.ts");
  const lines: string[] = [];
  const originalLog = console.log;
  globals[globalKey] = options.modules;
  try {
    await writeFile(file, `${source}\nexport {};\n`);
    console.log = (...args: unknown[]) => {
      lines.push(args.map(formatArg).join(" "));
    };
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    console.log = originalLog;
    delete globals[globalKey];
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}
