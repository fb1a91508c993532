import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { create, toBinary, type DescEnum, type DescFile, type DescMessage } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import {
  DescriptorProtoSchema,
  EnumDescriptorProtoSchema,
  EnumValueDescriptorProtoSchema,
  FieldDescriptorProtoSchema,
  FileDescriptorProtoSchema,
  MethodDescriptorProtoSchema,
  OneofDescriptorProtoSchema,
  ServiceDescriptorProtoSchema,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listGeneratedFiles } from "./generated-tree.js";
import { rewriteGeneratedTree } from "./per-type-descriptors.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
// Inside the repository so that @bufbuild/protobuf resolves from the stock output.
const stockDir = join(repoRoot, ".etcdkit-tmp", `stock-gen-${process.pid}`);

/** Everything about a file descriptor that affects encoding, decoding, JSON and RPC calls. */
function project(file: DescFile): unknown {
  const enumShape = (e: DescEnum) => ({ typeName: e.typeName, values: e.values.map((v) => [v.name, v.number]) });
  const messageShape = (m: DescMessage): unknown => ({
    typeName: m.typeName,
    fields: m.fields.map((f) => ({
      name: f.name,
      number: f.number,
      kind: f.fieldKind,
      scalar: "scalar" in f ? f.scalar : undefined,
      listKind: f.fieldKind === "list" ? f.listKind : undefined,
      packed: f.fieldKind === "list" ? f.packed : undefined,
      message: "message" in f && f.message ? f.message.typeName : undefined,
      enum: "enum" in f && f.enum ? f.enum.typeName : undefined,
      oneof: f.oneof?.name,
      jsonName: f.jsonName,
      localName: f.localName,
      presence: f.presence,
    })),
    nested: m.nestedMessages.map(messageShape),
    enums: m.nestedEnums.map(enumShape),
  });
  return {
    name: file.name,
    dependencies: file.dependencies.map((d) => d.name),
    messages: file.messages.map(messageShape),
    enums: file.enums.map(enumShape),
    services: file.services.map((s) => ({
      typeName: s.typeName,
      methods: s.methods.map((m) => [m.name, m.methodKind, m.input.typeName, m.output.typeName, m.idempotency]),
    })),
  };
}

describe("embedded descriptors", () => {
  beforeAll(() => {
    rmSync(stockDir, { recursive: true, force: true });
    mkdirSync(stockDir, { recursive: true });
    execFileSync(join(repoRoot, "node_modules/.bin/buf"), ["generate", "--output", stockDir], { cwd: repoRoot });
  });
  afterAll(() => rmSync(stockDir, { recursive: true, force: true }));

  const files = listGeneratedFiles(join(repoRoot, "gen")).filter((f) => f.endsWith("_pb.js"));

  it("covers every generated file", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)("%s describes the same API as protoc-gen-es's base64 descriptor", async (file) => {
    const stockSource = readFileSync(join(stockDir, "gen", file), "utf8");
    expect(stockSource).toMatch(/fileDesc\("/);
    const ours = await import(pathToFileURL(join(repoRoot, "gen", file)).href);
    const stock = await import(pathToFileURL(join(stockDir, "gen", file)).href);
    const fileExport = Object.keys(stock).find((k) => k.startsWith("file_"))!;
    expect(project(ours[fileExport])).toEqual(project(stock[fileExport]));
  });

  it.each(files)("%s hydrates to protoc-gen-es's descriptor byte for byte", async (file) => {
    const ours = await import(pathToFileURL(join(repoRoot, "gen", file)).href);
    const stock = await import(pathToFileURL(join(stockDir, "gen", file)).href);
    const fileExport = Object.keys(stock).find((k) => k.startsWith("file_"))!;
    const oursBytes = toBinary(FileDescriptorProtoSchema, ours[fileExport].proto as FileDescriptorProto);
    const stockBytes = toBinary(FileDescriptorProtoSchema, stock[fileExport].proto as FileDescriptorProto);
    expect(Buffer.from(oursBytes).equals(Buffer.from(stockBytes))).toBe(true);
  });

  it("emits no base64 descriptor and no descriptor.proto import", () => {
    for (const file of files) {
      const source = readFileSync(join(repoRoot, "gen", file), "utf8");
      expect(source).not.toMatch(/fileDesc\(/);
      expect(source).not.toMatch(/descriptor_pb|wkt/);
    }
  });

  it("passes files without a descriptor through unchanged", () => {
    const source = 'export const x = 1;\n';
    expect(rewriteGeneratedTree(new Map([["a/b_pb.js", source]])).files.get("a/b_pb.js")).toBe(source);
  });

  it.each(files)("%s: every exported descriptor is the registry's, property for property", async (file) => {
    const ours = (await import(pathToFileURL(join(repoRoot, "gen", file)).href)) as Record<string, unknown>;
    const stock = (await import(pathToFileURL(join(stockDir, "gen", file)).href)) as Record<string, unknown>;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(stock).sort());
    for (const name of Object.keys(stock)) expect(sameDescriptor(ours[name], stock[name], name)).toBe("same");
  });

  it.each(files)("%s: a file's lists hold the very descriptors the module exports", async (file) => {
    const ours = (await import(pathToFileURL(join(repoRoot, "gen", file)).href)) as Record<string, DescFile & DescMessage>;
    const descFile = Object.entries(ours).find(([k]) => k.startsWith("file_"))![1] as DescFile;
    for (const type of [...descFile.messages, ...descFile.enums, ...descFile.services]) {
      const exported = Object.values(ours).filter((v) => v === type);
      expect(exported.length, type.toString()).toBe(1);
      expect(type.file).toBe(descFile);
    }
  });
});

/**
 * Compares two descriptor graphs: every enumerable property, recursively (each pair of objects
 * once, so cycles end), functions by what they return, `proto` by its encoding. Returns "same"
 * or the path of the first difference.
 */
function sameDescriptor(a: unknown, b: unknown, path: string, seen = new Map<object, object>()): string {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b) ? "same" : path;
  if (seen.get(a) === b) return "same";
  seen.set(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  const keysA = Object.keys(a).sort();
  const keysB = Object.keys(b).sort();
  if (JSON.stringify(keysA) !== JSON.stringify(keysB)) return `${path} {${keysA.join(",")}} vs {${keysB.join(",")}}`;
  for (const key of keysA) {
    const va = (a as Record<string, unknown>)[key];
    const vb = (b as Record<string, unknown>)[key];
    if (key === "$typeName" || (key === "proto" && typeof va === "object")) {
      if (key === "proto" && !protoBytesEqual(va, vb)) return `${path}.proto`;
      continue;
    }
    if (typeof va === "function" && typeof vb === "function") {
      const call = (f: unknown, self: object) => String((f as (this: object) => unknown).call(self));
      if (call(va, a) !== call(vb, b)) return `${path}.${key}()`;
      continue;
    }
    const result = sameDescriptor(va, vb, `${path}.${key}`, seen);
    if (result !== "same") return result;
  }
  return "same";
}

function protoBytesEqual(a: unknown, b: unknown): boolean {
  const schema = { "google.protobuf.FileDescriptorProto": FileDescriptorProtoSchema } as Record<string, typeof FileDescriptorProtoSchema>;
  const typeName = (b as { $typeName: string }).$typeName;
  if ((a as { $typeName: string }).$typeName !== typeName) return false;
  const desc = schema[typeName] ?? descriptorSchemas.get(typeName);
  if (!desc) throw new Error(`no schema for ${typeName}`);
  return Buffer.from(toBinary(desc, a as never)).equals(Buffer.from(toBinary(desc, b as never)));
}

const descriptorSchemas = new Map<string, DescMessage>(
  [DescriptorProtoSchema, FieldDescriptorProtoSchema, EnumDescriptorProtoSchema, EnumValueDescriptorProtoSchema,
    OneofDescriptorProtoSchema, ServiceDescriptorProtoSchema, MethodDescriptorProtoSchema].map((s) => [s.typeName, s]),
);

describe("the per-type rewrite fails loudly on what it does not understand (was: dropped or passed it through)", () => {
  const rewriteGeneratedFile = (source: string, path: string) => ({ source: rewriteGeneratedTree(new Map([[path, source]])).files.get(path)! });
  /** A generated file as protoc-gen-es writes it, around the given descriptor. */
  const generated = (descriptor: FileDescriptorProto): string =>
    '// @generated by protoc-gen-es v2.17.0\n/* eslint-disable */\n\nimport { fileDesc, messageDesc } from "@bufbuild/protobuf/codegenv2";\n\n' +
    `export const file_x = /*@__PURE__*/\n  fileDesc("${base64Encode(toBinary(FileDescriptorProtoSchema, descriptor), "std_raw")}");\n` +
    (descriptor.messageType.length > 0 ? "\nexport const MSchema = /*@__PURE__*/\n  messageDesc(file_x, 0);\n" : "");
  const message = { name: "M", field: [{ name: "a", number: 1, type: 9, label: 1 }] };

  it("rewrites a plain descriptor", () => {
    const descriptor = create(FileDescriptorProtoSchema, { name: "x.proto", package: "x", syntax: "proto3", messageType: [message] });
    const source = rewriteGeneratedFile(generated(descriptor), "x_pb.js").source;
    expect(source).toContain('file({"name":"x.proto","package":"x","syntax":"proto3"})');
    expect(source).toContain('export const MSchema = /*@__PURE__*/\n  message($file, {"name":"M","field":[{"name":"a","number":1,"label":1,"type":9}]}, []);');
  });

  it("a file option the runtime does not keep (java_package)", () => {
    const descriptor = create(FileDescriptorProtoSchema, { name: "x.proto", options: { javaPackage: "io.x" } });
    expect(() => rewriteGeneratedFile(generated(descriptor), "x_pb.js")).toThrow(/x\.proto\.options\.javaPackage is set/);
  });

  it("editions features on a message", () => {
    const descriptor = create(FileDescriptorProtoSchema, {
      name: "x.proto",
      messageType: [{ ...message, options: { features: { fieldPresence: 1 } } }],
    });
    expect(() => rewriteGeneratedFile(generated(descriptor), "x_pb.js")).toThrow(/features.*is set/);
  });

  it("an unknown (custom) option", () => {
    const descriptor = create(FileDescriptorProtoSchema, { name: "x.proto", messageType: [{ ...message, options: {} }] });
    descriptor.messageType[0]!.options!.$unknown = [{ no: 50000, wireType: 2, data: new Uint8Array([3, 51, 46, 53]) }];
    expect(() => rewriteGeneratedFile(generated(descriptor), "x_pb.js")).toThrow(/unknown fields/);
  });

  it("a fileDesc call it cannot parse", () => {
    const source = '// @generated by protoc-gen-es v2.17.0\n/* eslint-disable */\nimport { fileDesc } from "@bufbuild/protobuf/codegenv2";\nexport const file_x = fileDesc(\n  "AAAA", [dep], extra);\n';
    expect(() => rewriteGeneratedFile(source, "x_pb.js")).toThrow(/cannot rewrite x_pb\.js/);
  });

  it("features the per-type runtime does not build: maps, proto3 optional, proto2", () => {
    const entry = { name: "LabelsEntry", field: [{ name: "key", number: 1, type: 9, label: 1 }, { name: "value", number: 2, type: 9, label: 1 }], options: { mapEntry: true } };
    const withMap = create(FileDescriptorProtoSchema, {
      name: "x.proto", syntax: "proto3",
      messageType: [{ name: "M", field: [{ name: "labels", number: 1, type: 11, label: 3, typeName: ".M.LabelsEntry" }], nestedType: [entry] }],
    });
    expect(() => rewriteGeneratedFile(generated(withMap), "x_pb.js")).toThrow(/M\.LabelsEntry is a map field; maps are not supported/);
    const optional = create(FileDescriptorProtoSchema, {
      name: "x.proto", syntax: "proto3",
      messageType: [{ name: "M", field: [{ name: "a", number: 1, type: 9, label: 1, proto3Optional: true, oneofIndex: 0 }], oneofDecl: [{ name: "_a" }] }],
    });
    expect(() => rewriteGeneratedFile(generated(optional), "x_pb.js")).toThrow(/M\.a is a proto3 optional field/);
    const proto2 = create(FileDescriptorProtoSchema, { name: "x.proto", messageType: [message] });
    expect(() => rewriteGeneratedFile(generated(proto2), "x_pb.js")).toThrow(/only proto3 is supported/);
  });
});
