import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { create, toBinary, type DescEnum, type DescFile, type DescMessage } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listGeneratedFiles } from "./generated-tree.js";
import { rewriteGeneratedFile } from "./embedded-descriptors.js";

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
    expect(rewriteGeneratedFile(source, "a/b_pb.js").source).toBe(source);
  });
});

describe("rewriteGeneratedFile fails loudly on what it does not understand (was: dropped or passed it through)", () => {
  /** A generated file as protoc-gen-es writes it, around the given descriptor. */
  const generated = (descriptor: FileDescriptorProto): string =>
    'import { fileDesc } from "@bufbuild/protobuf/codegenv2";\n' +
    `export const file_x = /*@__PURE__*/\n  fileDesc("${base64Encode(toBinary(FileDescriptorProtoSchema, descriptor), "std_raw")}");\n`;
  const message = { name: "M", field: [{ name: "a", number: 1, type: 9, label: 1 }] };

  it("rewrites a plain descriptor", () => {
    const descriptor = create(FileDescriptorProtoSchema, { name: "x.proto", package: "x", syntax: "proto3", messageType: [message] });
    expect(rewriteGeneratedFile(generated(descriptor), "x_pb.js").source).toContain('embeddedFile({"name":"x.proto"');
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
    const source = 'import { fileDesc } from "@bufbuild/protobuf/codegenv2";\nexport const file_x = fileDesc(\n  "AAAA", [dep], extra);\n';
    expect(() => rewriteGeneratedFile(source, "x_pb.js")).toThrow(/cannot rewrite x_pb\.js/);
  });
});
