import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rewriteEtcdImport } from "./etcd-source-layouts.js";
import { debianEtcd } from "./fixtures/etcd-trees.js";
import { normalizeProto } from "./normalize-proto.js";
import { tokenizeProto } from "./proto-tokens.js";

/** Drops gogoproto imports, keeps the others: enough for unit tests. */
const normalize = (source: string) =>
  normalizeProto(source, { rewriteImport: (path) => (path.startsWith("gogoproto/") ? null : path) });

const text = (source: string) => normalize(source).text;

describe("normalizeProto: option lists", () => {
  it("keeps the entries that are not stripped", () => {
    const source = 'syntax = "proto2";\npackage p;\nmessage M {\n  repeated int64 a = 1 [packed = true, (gogoproto.nullable) = false];\n}\n';
    expect(text(source)).toBe('syntax = "proto2";\npackage p;\nmessage M {\n  repeated int64 a = 1 [packed = true];\n}\n');
  });

  it("keeps entries on both sides of a stripped one, and drops the list when all go", () => {
    const source =
      "package p;\nmessage M {\n" +
      "  int64 a = 1 [deprecated = true, (gogoproto.nullable) = false, json_name = \"x\"];\n" +
      "  int64 b = 2 [(gogoproto.nullable) = false, (gogoproto.customname) = \"B\"];\n" +
      "}\n";
    expect(text(source)).toBe('package p;\nmessage M {\n  int64 a = 1 [deprecated = true, json_name = "x"];\n  int64 b = 2;\n}\n');
  });

  it("skips values whole: floats, exponents, signed identifiers, adjacent strings (were cut after the first token)", () => {
    const source =
      "package p;\n" +
      "option (gogoproto.a) = 1.5;\n" +
      'option (gogoproto.b) = "x" "y";\n' +
      "message M {\n" +
      "  double a = 1 [(gogoproto.c) = 2.5e-3, deprecated = true];\n" +
      "  double b = 2 [(gogoproto.d) = -inf, deprecated = true];\n" +
      "  int32 c = 3 [(gogoproto.e) = -7, deprecated = true];\n" +
      "}\n";
    expect(text(source)).toBe(
      "package p;\nmessage M {\n  double a = 1 [deprecated = true];\n  double b = 2 [deprecated = true];\n  int32 c = 3 [deprecated = true];\n}\n",
    );
  });

  it("strips options with a field path after the extension name: (a.b).c (were left half-removed)", () => {
    const source =
      "package p;\noption (gogoproto.moretags).key = true;\nmessage M {\n  int64 a = 1 [(gogoproto.moretags).key = \"q\", deprecated = true];\n}\n";
    expect(text(source)).toBe("package p;\nmessage M {\n  int64 a = 1 [deprecated = true];\n}\n");
  });

  it("strips fully qualified option names: (.gogoproto.nullable) (were kept while their import was dropped)", () => {
    const source = 'package p;\nimport "gogoproto/gogo.proto";\noption (.gogoproto.marshaler_all) = true;\nmessage M {\n  int64 a = 1 [(.gogoproto.nullable) = false];\n}\n';
    expect(text(source)).toBe("package p;\nmessage M {\n  int64 a = 1;\n}\n");
  });
});

describe("normalizeProto: what is not an option", () => {
  it("leaves options inside comments and string literals alone", () => {
    const source =
      "package p;\n" +
      "// option (gogoproto.marshaler_all) = true;\n" +
      "/* import \"gogoproto/gogo.proto\"; option (google.api.http) = { post: \"/x\" }; */\n" +
      "message M {\n" +
      "  // int64 a = 1 [(gogoproto.nullable) = false];\n" +
      '  string s = 1 [json_name = "[(gogoproto.nullable) = false]"];\n' +
      '  string t = 2 [json_name = "option (versionpb.etcd_version_msg) = \\"3.6\\";"];\n' +
      "}\n";
    const result = normalize(source);
    expect(result.text).toBe(source);
    expect(result.annotations).toEqual({ httpRoutes: {}, sinceVersions: {} });
  });

  it("keeps options it does not own (java_package, deprecated, packed)", () => {
    const source = 'package p;\noption java_package = "x.y";\nmessage M {\n  option deprecated = true;\n  repeated int32 a = 1 [packed = false];\n}\n';
    expect(text(source)).toBe(source);
  });
});

describe("normalizeProto: layout", () => {
  it("collapses an rpc body that becomes empty to {}", () => {
    const source =
      "package p;\nservice S {\n  // Range ranges.\n  rpc Range(A) returns (B) {\n      option (google.api.http) = {\n        post: \"/v3/kv/range\"\n        body: \"*\"\n    };\n  }\n\n  rpc Watch(stream A) returns (stream B) {\n    option (google.api.http) = { post: \"/v3/watch\" body: \"*\" };\n  }\n}\n";
    expect(text(source)).toBe(
      "package p;\nservice S {\n  // Range ranges.\n  rpc Range(A) returns (B) {}\n\n  rpc Watch(stream A) returns (stream B) {}\n}\n",
    );
  });

  it("keeps an rpc body that still has a kept option or a comment", () => {
    const source =
      "package p;\nservice S {\n  rpc A(B) returns (C) {\n    option deprecated = true;\n    option (google.api.http) = { post: \"/a\" };\n  }\n  rpc D(B) returns (C) {\n    // note\n    option (google.api.http) = { post: \"/d\" };\n  }\n}\n";
    expect(text(source)).toBe(
      "package p;\nservice S {\n  rpc A(B) returns (C) {\n    option deprecated = true;\n  }\n  rpc D(B) returns (C) {\n    // note\n  }\n}\n",
    );
  });

  it("removes aggregate values with nested braces, braces in strings and empty messages", () => {
    const source =
      "package p;\n\n" +
      "option (grpc.gateway.protoc_gen_openapiv2.options.openapiv2_swagger) = {\n" +
      "  security_definitions: {\n    security: {\n      key: \"ApiKey\";\n      value: {\n        type: TYPE_API_KEY;\n        name: \"}{\";\n      }\n    }\n  }\n" +
      "  security: {\n    security_requirement: {\n      key: \"ApiKey\";\n      value: {};\n    }\n  }\n};\n\n" +
      "message M {}\n";
    expect(text(source)).toBe("package p;\n\nmessage M {}\n");
  });

  it("handles a file that ends without a newline (and adds one)", () => {
    const source = 'package p;\nimport "gogoproto/gogo.proto";\nmessage M {\n  int64 a = 1 [(gogoproto.nullable) = false];\n}';
    expect(text(source)).toBe("package p;\nmessage M {\n  int64 a = 1;\n}\n");
    expect(text("package p;\noption (gogoproto.sizer_all) = true;")).toBe("package p;\n");
  });

  it("strips the Go-only go_package file option (etcd 3.6+; it reached the embedded descriptors) and keeps other built-in options", () => {
    const source = 'syntax = "proto3";\npackage p;\n\noption go_package = "go.etcd.io/etcd/api/v3/authpb";\noption java_multiple_files = true;\n\nmessage M {}\n';
    expect(text(source)).toBe('syntax = "proto3";\npackage p;\n\noption java_multiple_files = true;\n\nmessage M {}\n');
  });

  it("leaves no whitespace-only line where two options shared a line", () => {
    const source = "package p;\noption (gogoproto.a) = true; option (gogoproto.b) = true;\nmessage M {}\n";
    expect(text(source)).toBe("package p;\n\nmessage M {}\n");
  });

  it("normalizes a CRLF checkout exactly like an LF one (was left with CRLF and uncollapsed blank lines)", () => {
    const lf = readFileSync(join(debianEtcd, "etcdserver/etcdserverpb/rpc.proto"), "utf8");
    const crlf = lf.replace(/\n/g, "\r\n");
    const rewriteImport = rewriteEtcdImport;
    const fromLf = normalizeProto(lf, { rewriteImport });
    const fromCrlf = normalizeProto(crlf, { rewriteImport });
    expect(fromCrlf.text).toBe(fromLf.text);
    expect(fromCrlf.annotations).toEqual(fromLf.annotations);
  });

  it("rewrites kept imports in place and drops the others with their line", () => {
    const source = 'syntax = "proto3";\npackage p;\n\nimport "gogoproto/gogo.proto";\nimport "etcd/api/mvccpb/kv.proto";\nimport public "google/protobuf/any.proto";\n\nmessage M {}\n';
    const result = normalizeProto(source, { rewriteImport: (p) => rewriteEtcdImport(p) });
    expect(result.text).toBe('syntax = "proto3";\npackage p;\n\nimport "mvccpb/kv.proto";\nimport public "google/protobuf/any.proto";\n\nmessage M {}\n');
  });
});

describe("normalizeProto: annotations", () => {
  it("keys since-versions by message, field, oneof field, enum and enum value full name", () => {
    const source =
      "package p;\n" +
      "message O {\n" +
      '  option (versionpb.etcd_version_msg) = "3.0";\n' +
      "  message I {\n" +
      '    option (versionpb.etcd_version_msg) = "3.4";\n' +
      "    oneof u {\n" +
      '      int64 x = 1 [(versionpb.etcd_version_field)="3.5"];\n' +
      "    }\n" +
      "  }\n" +
      '  enum E { option (versionpb.etcd_version_enum) = "3.1"; A = 0; B = 1 [(versionpb.etcd_version_enum_value)="3.6"]; }\n' +
      '  map<string, string> m = 2 [(versionpb.etcd_version_field) = "3.7"];\n' +
      "}\n" +
      'enum T {\n  option (versionpb.etcd_version_enum) = "3.0";\n\tNONE = 0;\n\tCORRUPT = 2 [(versionpb.etcd_version_enum_value)="3.3"]; // kv store corruption\n}\n';
    const result = normalize(source);
    expect(result.annotations.sinceVersions).toEqual({
      "p.O": "3.0",
      "p.O.I": "3.4",
      "p.O.I.x": "3.5",
      "p.O.E": "3.1",
      "p.O.E.B": "3.6",
      "p.O.m": "3.7",
      "p.T": "3.0",
      "p.T.CORRUPT": "3.3",
    });
    expect(result.text).not.toMatch(/versionpb/);
    expect(result.text).toContain("\tCORRUPT = 2; // kv store corruption\n");
  });

  it("extracts http rules with block-style additional_bindings", () => {
    const source =
      "package etcdserverpb;\nservice Lease {\n  rpc LeaseRevoke(A) returns (B) {\n      option (google.api.http) = {\n        post: \"/v3/lease/revoke\"\n        body: \"*\"\n        additional_bindings {\n            post: \"/v3/kv/lease/revoke\"\n            body: \"*\"\n        }\n    };\n  }\n}\n";
    expect(normalize(source).annotations.httpRoutes).toEqual({
      "etcdserverpb.Lease.LeaseRevoke": {
        method: "POST",
        path: "/v3/lease/revoke",
        body: "*",
        additionalBindings: [{ method: "POST", path: "/v3/kv/lease/revoke", body: "*" }],
      },
    });
  });

  it("extracts list-style additional_bindings and custom methods (list entries used to overwrite the main rule)", () => {
    const source =
      "package p;\nservice S {\n" +
      '  rpc A(B) returns (C) { option (google.api.http) = { get: "/a/{k}", additional_bindings: [{ post: "/e" body: "*" }, { put: "/f" }] }; }\n' +
      '  rpc H(B) returns (C) { option (google.api.http) = { custom: { kind: "HEAD" path: "/h" } }; }\n' +
      "}\n";
    expect(normalize(source).annotations.httpRoutes).toEqual({
      "p.S.A": {
        method: "GET",
        path: "/a/{k}",
        additionalBindings: [
          { method: "POST", path: "/e", body: "*" },
          { method: "PUT", path: "/f" },
        ],
      },
      "p.S.H": { method: "HEAD", path: "/h" },
    });
  });

  it("fails on an unbalanced option value instead of writing a broken file", () => {
    expect(() => normalize("package p;\noption (gogoproto.x) = { a: 1;\n")).toThrow(/unbalanced/);
  });
});

describe("tokenizeProto", () => {
  it("keeps every byte and reads numbers as one token", () => {
    const source = 'int64 a = 1 [default = -2.5e+3]; // c\n/* d */ "e\\"f" 0x1F .5';
    const tokens = tokenizeProto(source);
    expect(tokens.map((t) => t.text).join("")).toBe(source);
    expect(tokens.filter((t) => t.kind === "number").map((t) => t.text)).toEqual(["1", "-2.5e+3", "0x1F", ".5"]);
    expect(tokens.filter((t) => t.kind === "string").map((t) => t.text)).toEqual(['"e\\"f"']);
  });
});
