/**
 * Rewrites protoc-gen-es's generated `*_pb.js` files so that every message, enum and service
 * is described by its own `/*@__PURE__*\/` call on a plain descriptor literal (built by
 * gen/runtime/descriptors.js), instead of indexing into one base64 file descriptor hydrated up
 * front. A bundle then carries exactly the types its code reaches: a KV function carries the
 * KV messages and their dependencies, not the rest of rpc.proto.
 *
 * - Each file's descriptor is decoded at generation time (embedded-descriptors.ts checks it
 *   carries over exactly and refuses options it cannot keep).
 * - Types are emitted in dependency order; messages that refer to each other (RequestOp and
 *   TxnRequest) are built together by one `messages(...)` call.
 * - A type used from another file is imported from that file's module by its export name.
 * - The exports are protoc-gen-es's, name for name (its .d.ts files are kept as they are), with
 *   its doc comments; `file_*` is completed last from the types it declares.
 * - Deterministic: the output depends only on the generated input.
 *
 * @example
 * const rewritten = rewriteGeneratedTree(new Map([["mvccpb/kv_pb.js", source]]));
 * rewritten.files.get("mvccpb/kv_pb.js"); // per-type descriptors
 */
import { decodeEmbeddedDescriptor } from "./embedded-descriptors.js";
import { parseStockFile, resolveElement, type ParsedFile } from "./stock-generated-file.js";

type Plain = { [key: string]: unknown };

/** Where a type's descriptor is exported from. */
interface Symbol {
  module: string;
  exportName: string;
}

function checkSupported(file: ParsedFile): void {
  const fail = (why: string): never => {
    throw new Error(`cannot rewrite ${file.path}: ${why}`);
  };
  if (file.proto.syntax !== "proto3") fail(`syntax "${String(file.proto.syntax ?? "proto2")}": only proto3 is supported`);
  if (file.proto.extension) fail("extensions are not supported");
  const walk = (m: Plain, at: string) => {
    if ((m.options as Plain | undefined)?.mapEntry) fail(`${at} is a map field; maps are not supported`);
    for (const f of (m.field ?? []) as Plain[]) {
      if (f.proto3Optional) fail(`${at}.${String(f.name)} is a proto3 optional field, which is not supported`);
      if (f.extendee !== undefined || f.defaultValue !== undefined) fail(`${at}.${String(f.name)}: extensions and defaults are not supported`);
    }
    for (const n of (m.nestedType ?? []) as Plain[]) walk(n, `${at}.${String(n.name)}`);
    if (m.extension) fail(`${at} declares extensions, which are not supported`);
  };
  for (const m of (file.proto.messageType ?? []) as Plain[]) walk(m, String(m.name));
}

/** Full names of the types a message's fields refer to, nested messages included, own nested types excluded. */
function referencedTypes(message: Plain, own: string): string[] {
  const out: string[] = [];
  const walk = (m: Plain) => {
    for (const f of (m.field ?? []) as Plain[]) if (typeof f.typeName === "string") out.push(f.typeName.slice(1));
    for (const n of (m.nestedType ?? []) as Plain[]) walk(n);
  };
  walk(message);
  return [...new Set(out)].filter((t) => t !== own && !t.startsWith(`${own}.`));
}

/** Strongly connected components (Tarjan), dependencies before dependents. */
function components(nodes: string[], edges: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component.sort((a, b) => nodes.indexOf(a) - nodes.indexOf(b)));
    }
  };
  for (const v of nodes) if (!indexOf.has(v)) visit(v);
  return out;
}

const json = (value: unknown) => JSON.stringify(value);

function relativeModule(from: string, to: string): string {
  const fromParts = from.split("/").slice(0, -1);
  const toParts = to.split("/");
  let common = 0;
  while (common < fromParts.length && fromParts[common] === toParts[common]) common++;
  const up = fromParts.length - common;
  return `${up === 0 ? "./" : "../".repeat(up)}${toParts.slice(common).join("/")}`;
}

function emit(file: ParsedFile, symbols: Map<string, Symbol>): string {
  const pkg = (file.proto.package as string | undefined) ?? "";
  const prefix = pkg ? `${pkg}.` : "";
  const messages = (file.proto.messageType ?? []) as Plain[];
  const enums = (file.proto.enumType ?? []) as Plain[];
  const services = (file.proto.service ?? []) as Plain[];
  const byName = new Map(file.exports.map((e) => [e.name, e]));
  const exportOf = (typeName: string) => symbols.get(typeName)!.exportName;
  const imports = new Map<string, Set<string>>();
  const runtime = new Set<string>(["file", "complete"]);
  const use = (typeName: string): string => {
    const symbol = symbols.get(typeName);
    if (!symbol) throw new Error(`cannot rewrite ${file.path}: no generated descriptor for ${typeName}`);
    if (symbol.module !== file.path) {
      const module = relativeModule(file.path, symbol.module);
      imports.set(module, (imports.get(module) ?? new Set()).add(symbol.exportName));
    }
    return symbol.exportName;
  };
  const block = (name: string, expression: string) => `${byName.get(name)?.comment ?? ""}export const ${name} = /*@__PURE__*/\n  ${expression};\n`;
  const out: string[] = [];
  const emitted = new Set<string>();
  const emitNested = (parentExport: string, message: Plain, typeName: string) => {
    ((message.enumType ?? []) as Plain[]).forEach((e, i) => {
      const name = exportOf(`${typeName}.${String(e.name)}`);
      runtime.add("nestedEnum");
      out.push(block(name, `nestedEnum(${parentExport}, ${i})`));
      emitted.add(name);
      const tsEnumExport = name.replace(/Schema$/, "");
      if (byName.get(tsEnumExport)?.call === "tsEnum") {
        out.push(block(tsEnumExport, `tsEnum(${name})`));
        emitted.add(tsEnumExport);
      }
    });
    ((message.nestedType ?? []) as Plain[]).forEach((n, i) => {
      const nestedName = `${typeName}.${String(n.name)}`;
      const name = exportOf(nestedName);
      runtime.add("nestedMessage");
      out.push(block(name, `nestedMessage(${parentExport}, ${i})`));
      emitted.add(name);
      emitNested(name, n, nestedName);
    });
  };

  const fileHeader = { ...file.proto };
  for (const key of ["dependency", "messageType", "enumType", "service"]) delete fileHeader[key];
  out.push(`const $file = /*@__PURE__*/\n  file(${json(fileHeader)});\n`);

  // Top-level enums first (they depend on nothing), then messages in dependency order.
  for (const e of enums) {
    const typeName = prefix + String(e.name);
    const name = exportOf(typeName);
    runtime.add("enumType");
    out.push(block(name, `enumType($file, ${json(e)})`));
    emitted.add(name);
    const tsEnumExport = name.replace(/Schema$/, "");
    if (byName.get(tsEnumExport)?.call === "tsEnum") {
      out.push(block(tsEnumExport, `tsEnum(${name})`));
      emitted.add(tsEnumExport);
    }
  }
  const local = messages.map((m) => prefix + String(m.name));
  const plainOf = new Map(messages.map((m) => [prefix + String(m.name), m]));
  /** The local top-level message a referenced type belongs to (itself or its outermost parent). */
  const localTop = (typeName: string) => local.find((t) => typeName === t || typeName.startsWith(`${t}.`));
  const edges = new Map(local.map((t) => [t, referencedTypes(plainOf.get(t)!, t).map(localTop).filter((x): x is string => x !== undefined && x !== t)]));
  let groups = 0;
  for (const component of components(local, edges)) {
    const members = new Set(component);
    const uses = [...new Set(component.flatMap((t) => referencedTypes(plainOf.get(t)!, t)))]
      .filter((t) => !members.has(localTop(t) ?? ""))
      .sort()
      .map(use);
    if (component.length === 1) {
      const typeName = component[0]!;
      runtime.add("message");
      out.push(block(exportOf(typeName), `message($file, ${json(plainOf.get(typeName))}, [${uses.join(", ")}])`));
    } else {
      const group = `$group${groups++}`;
      runtime.add("messages").add("member");
      out.push(`const ${group} = /*@__PURE__*/\n  messages($file, [${component.map((t) => json(plainOf.get(t))).join(", ")}], [${uses.join(", ")}]);\n`);
      component.forEach((typeName, i) => out.push(block(exportOf(typeName), `member(${group}, ${i})`)));
    }
    for (const typeName of component) {
      emitted.add(exportOf(typeName));
      emitNested(exportOf(typeName), plainOf.get(typeName)!, typeName);
    }
  }
  for (const s of services) {
    const typeName = prefix + String(s.name);
    const uses = [...new Set(((s.method ?? []) as Plain[]).flatMap((m) => [String(m.inputType).slice(1), String(m.outputType).slice(1)]))].sort().map(use);
    runtime.add("service");
    out.push(block(exportOf(typeName), `service($file, ${json(s)}, [${uses.join(", ")}])`));
    emitted.add(exportOf(typeName));
  }
  const fileComment = `/**\n * Describes the file ${String(file.proto.name)}.\n */\n`;
  for (const dep of file.dependencyExports) {
    const module = dep.module;
    imports.set(module, (imports.get(module) ?? new Set()).add(dep.name));
  }
  out.push(
    `${fileComment}export const ${file.fileExport} = /*@__PURE__*/\n  complete($file, [${file.dependencyExports.map((d) => d.name).join(", ")}], ` +
      `[${local.map(exportOf).join(", ")}], [${enums.map((e) => exportOf(prefix + String(e.name))).join(", ")}], ` +
      `[${services.map((s) => exportOf(prefix + String(s.name))).join(", ")}]);\n`,
  );
  emitted.add(file.fileExport);

  const missing = file.exports.map((e) => e.name).filter((n) => !emitted.has(n));
  if (missing.length > 0) throw new Error(`cannot rewrite ${file.path}: exports not carried over: ${missing.join(", ")}`);
  const runtimePath = relativeModule(file.path, "runtime/descriptors.js");
  const importLines = [
    ...(file.exports.some((e) => e.call === "tsEnum") ? ['import { tsEnum } from "@bufbuild/protobuf/codegenv2";'] : []),
    `import { ${[...runtime].sort().join(", ")} } from "${runtimePath}";`,
    ...[...imports].sort(([a], [b]) => (a < b ? -1 : 1)).map(([module, names]) => `import { ${[...names].sort().join(", ")} } from "${module}";`),
  ];
  return `${file.header}\n${importLines.join("\n")}\n\n${out.join("\n")}`;
}

/**
 * Rewrites every generated `*_pb.js` of a tree (relative path → source). Files without a
 * descriptor pass through. Returns the new sources and the descriptor types their literals use.
 * Throws, naming the file, on anything it cannot carry over.
 *
 * @example
 * const { files, usedTypes } = rewriteGeneratedTree(sources);
 */
export function rewriteGeneratedTree(sources: Map<string, string>): { files: Map<string, string>; usedTypes: Set<string> } {
  const parsed: ParsedFile[] = [];
  const out = new Map<string, string>();
  const usedTypes = new Set<string>();
  for (const [path, source] of [...sources].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!source.includes("fileDesc")) {
      out.set(path, source);
      continue;
    }
    const file = parseStockFile(path, source);
    checkSupported(file);
    parsed.push(file);
  }
  const symbols = new Map<string, Symbol>();
  for (const file of parsed) {
    for (const e of file.exports) {
      if (e.call === "tsEnum") continue;
      if (e.args[0] !== file.fileExport) throw new Error(`cannot rewrite ${file.path}: ${e.name} refers to ${e.args[0]}`);
      symbols.set(resolveElement(file, e).typeName, { module: file.path, exportName: e.name });
    }
  }
  for (const file of parsed) {
    // The literals are decoded again for their types (decodeEmbeddedDescriptor checked them in parse).
    const base64 = /fileDesc\("([^"]+)"/.exec(sources.get(file.path)!)![1]!;
    decodeEmbeddedDescriptor(base64).usedTypes.forEach((t) => usedTypes.add(t));
    out.set(file.path, emit(file, symbols));
  }
  return { files: out, usedTypes };
}
