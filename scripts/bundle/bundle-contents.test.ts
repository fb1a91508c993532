import { describe, expect, it } from "vitest";
import { bundleEntries } from "./bundle-entries.js";
import { measureBundle } from "./measure-bundle.js";

const entry = (name: string) => bundleEntries.find((e) => e.name === name)!;

describe("KV-only bundle", () => {
  it("carries no descriptor.proto and no gogo code", async () => {
    const result = await measureBundle(entry("kv-raw"));
    const paths = result.modules.map((m) => m.path);
    expect(paths.some((p) => p.includes("etcdserverpb/rpc_pb"))).toBe(true);
    expect(paths.filter((p) => /descriptor_pb|gogo/.test(p))).toEqual([]);
    expect(result.code).not.toContain("google.protobuf.FileDescriptorProto\"");
    expect(result.code).not.toMatch(/gogoproto/);
    expect(result.code).not.toMatch(/google\.api\.http/);
  });

  it("carries the descriptors of the messages KV reaches and no others (carried all of rpc.proto)", async () => {
    const result = await measureBundle(entry("kv-raw"));
    const types = new Set([...result.code.matchAll(/\{name:"([A-Z]\w*)",(?:field|value|method)/g)].map((m) => m[1]));
    for (const reached of ["KV", "RangeRequest", "PutRequest", "TxnRequest", "RequestOp", "ResponseOp", "Compare", "CompactionRequest", "KeyValue", "ResponseHeader"]) {
      expect(types.has(reached), reached).toBe(true);
    }
    for (const other of ["Watch", "WatchRequest", "LeaseGrantRequest", "MemberListRequest", "StatusResponse", "AuthenticateRequest", "Event", "User", "Permission"]) {
      expect(types.has(other), other).toBe(false);
    }
  });

  it("a KV function over our transport carries no watch, lease, cluster, maintenance or auth package code", async () => {
    const result = await measureBundle(entry("kv-get-put"));
    const paths = result.modules.map((m) => m.path);
    expect(paths.some((p) => p.startsWith("packages/kv/"))).toBe(true);
    expect(paths.some((p) => p.startsWith("packages/transport/"))).toBe(true);
    expect(paths.filter((p) => /packages\/(watch|lease|cluster|maintenance|auth|testing)\//.test(p))).toEqual([]);
    expect(paths.filter((p) => /descriptor_pb|gogo|connect-node/.test(p))).toEqual([]);
  });

  it("a KV function carries none of Connect's promise client (the packages use createRpcClient)", async () => {
    for (const name of ["kv-get-put", "kv-get-put-gateway"]) {
      const paths = (await measureBundle(entry(name))).modules.map((m) => m.path);
      expect(paths.filter((p) => /promise-client|async-iterable/.test(p)), name).toEqual([]);
    }
  });

  it("createTransport + createKV imported from the etcdkit umbrella tree-shake to the same KV-only bundle", async () => {
    const result = await measureBundle(entry("etcdkit-kv-get"));
    const paths = result.modules.map((m) => m.path);
    expect(paths.some((p) => p.startsWith("packages/kv/"))).toBe(true);
    expect(paths.filter((p) => /packages\/(watch|lease|cluster|maintenance|auth|namespace|etcdkit|testing)\/|yaml/.test(p))).toEqual([]);
  });

  it("createClient carries every service but no config parsing (yaml) code", async () => {
    const result = await measureBundle(entry("etcdkit-client-get"));
    const paths = result.modules.map((m) => m.path);
    for (const service of ["kv", "watch", "lease", "cluster", "maintenance", "auth", "namespace"]) {
      expect(paths.some((p) => p.startsWith(`packages/${service}/`)), service).toBe(true);
    }
    expect(paths.filter((p) => /yaml|load-config|config-from-env|packages\/testing\//.test(p))).toEqual([]);
  });

  it("would notice descriptor.proto if an entry pulled it in", async () => {
    const result = await measureBundle({
      name: "with-descriptor",
      description: "control: imports descriptor.proto on purpose",
      source: 'import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt"; export const s = FileDescriptorProtoSchema;',
      gzipBudget: 0,
    });
    expect(result.modules.map((m) => m.path).some((p) => p.includes("descriptor_pb"))).toBe(true);
  });

  it("a KV function over the gateway transport builds for a browser: no node: module, no HTTP/2 transport, no binary request encoding", async () => {
    const result = await measureBundle(entry("kv-get-put-gateway")); // platform "browser": a node: import fails the build
    const paths = result.modules.map((m) => m.path);
    expect(paths.some((p) => p.startsWith("packages/transport/src/gateway/"))).toBe(true);
    expect(paths.filter((p) => /packages\/transport\/src\/(http2|grpc|tls)|to-binary|descriptor_pb|to-json|from-json/.test(p))).toEqual([]);
    expect(result.code).not.toMatch(/["']node:/);
  });
});
