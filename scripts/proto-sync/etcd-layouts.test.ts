/**
 * proto:sync on the etcd 3.5, 3.6 and 3.7 source layouts (fixture trees built at test time, see
 * fixtures/etcd-trees.ts), then `buf generate` on each synced module.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFreshAsync } from "../generate/pipeline.js";
import { buildEtcdTree, fixtureVersions, type EtcdLayoutVersion } from "./fixtures/etcd-trees.js";
import type { ProtoAnnotations } from "./normalize-proto.js";
import { syncProtos } from "./sync-protos.js";
import { createOwnedTempDir } from "@etcdkit/testing";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const temp = createOwnedTempDir("layouts");
// Generated code imports @bufbuild/protobuf: let it resolve from the temp dir.
symlinkSync(join(repoRoot, "node_modules"), join(temp, "node_modules"), "dir");
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const layout35 = "etcd 3.5+ (api/ and server/ modules)";
const baseFiles = [
  "PROVENANCE",
  "annotations.json",
  "authpb/auth.proto",
  "etcdserverpb/rpc.proto",
  "mvccpb/kv.proto",
  "v3electionpb/v3election.proto",
  "v3lockpb/v3lock.proto",
];

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

function importsOf(proto: string): string[] {
  return [...proto.matchAll(/^import\s+(?:public\s+|weak\s+)?"([^"]+)";/gm)].map((m) => m[1]!);
}

let trees = 0;
function sync(version: EtcdLayoutVersion, omit: string[] = []) {
  const dir = join(temp, `${version}-${trees++}`);
  const from = buildEtcdTree(join(dir, "etcd"), version, omit);
  const out = join(dir, "proto");
  return { from, out, dir, result: () => syncProtos({ from, out }) };
}

const kvRoutes = {
  "etcdserverpb.KV.Range": { method: "POST", path: "/v3/kv/range", body: "*" },
  "etcdserverpb.KV.Put": { method: "POST", path: "/v3/kv/put", body: "*" },
  "etcdserverpb.KV.DeleteRange": { method: "POST", path: "/v3/kv/deleterange", body: "*" },
  "etcdserverpb.KV.Txn": { method: "POST", path: "/v3/kv/txn", body: "*" },
  "etcdserverpb.KV.Compact": { method: "POST", path: "/v3/kv/compaction", body: "*" },
  "etcdserverpb.Lease.LeaseRevoke": {
    method: "POST",
    path: "/v3/lease/revoke",
    body: "*",
    additionalBindings: [{ method: "POST", path: "/v3/kv/lease/revoke", body: "*" }],
  },
  "v3lockpb.Lock.Lock": { method: "POST", path: "/v3/lock/lock", body: "*" },
  "v3electionpb.Election.Observe": { method: "POST", path: "/v3/election/observe", body: "*" },
};

const sinceVersions36 = {
  "etcdserverpb.RangeRequest": "3.0", // message
  "etcdserverpb.RangeRequest.min_mod_revision": "3.1", // field
  "etcdserverpb.RangeRequest.SortOrder": "3.0", // nested enum
  "etcdserverpb.Compare.CompareResult.NOT_EQUAL": "3.1", // nested enum value
  "etcdserverpb.Compare.CompareTarget.LEASE": "3.3",
  "etcdserverpb.RequestOp.request_txn": "3.3", // oneof field
  "etcdserverpb.MemberListRequest.linearizable": "3.5",
  "etcdserverpb.AlarmType": "3.0", // top-level enum
  "etcdserverpb.AlarmType.CORRUPT": "3.3", // its value
};

const versions = ["3.5", "3.6", "3.7"] as const;
const synced = new Map(
  versions.map((version) => {
    const { from, out, dir } = sync(version);
    return [version, { from, out, dir, result: syncProtos({ from, out }) }];
  }),
);

// buf runs for the three layouts side by side (see the last test of each layout).
const generated = new Map<EtcdLayoutVersion, Promise<string>>();
beforeAll(() => {
  for (const [version, { dir, out }] of synced) {
    const staging = join(dir, "gen-staging");
    mkdirSync(staging);
    const run = generateFreshAsync({ repoRoot, staging, protoDir: out });
    run.catch(() => {}); // awaited (and reported) by the test
    generated.set(version, run);
  }
});

describe.each(versions)("proto:sync on the etcd %s layout", (version) => {
  const { from, out, result } = synced.get(version)!;
  const protos = listFiles(out).filter((f) => f.endsWith(".proto"));
  const read = (file: string) => readFileSync(join(out, file), "utf8");
  const annotations = JSON.parse(read("annotations.json")) as ProtoAnnotations;

  it("syncs the expected files and names version and layout in PROVENANCE", () => {
    expect(result).toMatchObject({ version: fixtureVersions[version], layout: layout35 });
    // versionpb/version.proto only defines the options that are stripped: it is not vendored.
    expect(listFiles(out)).toEqual(baseFiles);
    const provenance = read("PROVENANCE");
    expect(provenance).toContain(`etcd version: ${fixtureVersions[version]}\n`);
    expect(provenance).toContain(`layout: ${layout35}\n`);
    expect(provenance).toContain(`source: ${from}\n`);
    expect(provenance).toContain("etcdserverpb/rpc.proto <- api/etcdserverpb/rpc.proto (sha256 ");
    expect(provenance).toContain("v3lockpb/v3lock.proto <- server/etcdserver/api/v3lock/v3lockpb/v3lock.proto (sha256 ");
  });

  it("strips gogoproto, google.api, openapiv2 and versionpb options and their imports", () => {
    for (const file of protos) {
      const text = read(file);
      for (const banned of ["gogoproto", "google.api", "google/api", "openapiv2", "versionpb.etcd_version", "grpc.gateway"]) {
        expect(text, `${file} contains ${banned}`).not.toContain(banned);
      }
    }
  });

  it("rewrites imports to the flat layout", () => {
    expect(importsOf(read("etcdserverpb/rpc.proto"))).toEqual(["mvccpb/kv.proto", "authpb/auth.proto"]);
    expect(importsOf(read("v3lockpb/v3lock.proto"))).toEqual(["etcdserverpb/rpc.proto"]);
    expect(importsOf(read("v3electionpb/v3election.proto"))).toEqual(["etcdserverpb/rpc.proto", "mvccpb/kv.proto"]);
    expect(importsOf(read("mvccpb/kv.proto"))).toEqual([]);
  });

  it("extracts http routes (with additional_bindings) and since-versions to annotations.json", () => {
    expect(annotations.httpRoutes).toMatchObject(kvRoutes);
    expect(annotations.httpRoutes).not.toHaveProperty(["etcdserverpb.KV.RangeStream"]);
    if (version === "3.5") {
      expect(annotations.sinceVersions).toEqual({});
    } else {
      expect(annotations.sinceVersions).toMatchObject(sinceVersions36);
      const keys = Object.keys(annotations.sinceVersions);
      expect(keys).toEqual([...keys].sort());
      expect(keys.every((k) => /^etcdserverpb\.[A-Z]\w*(\.\w+)*$/.test(k))).toBe(true);
    }
    if (version === "3.7") expect(annotations.sinceVersions["etcdserverpb.RangeStreamResponse"]).toBe("3.7");
    else expect(annotations.sinceVersions).not.toHaveProperty(["etcdserverpb.RangeStreamResponse"]);
  });

  it("generates code with buf from the synced module", async () => {
    const gen = await generated.get(version)!;
    const expected = ["authpb/auth_pb", "etcdserverpb/rpc_pb", "mvccpb/kv_pb", "v3electionpb/v3election_pb", "v3lockpb/v3lock_pb"];
    const files = listFiles(gen);
    for (const file of expected) expect(files).toEqual(expect.arrayContaining([`${file}.js`, `${file}.d.ts`]));
    expect(files.filter((f) => f.endsWith("_pb.js")).sort()).toEqual(expected.map((f) => `${f}.js`).sort());
    // No generated file may pull google/protobuf/descriptor.proto into a bundle (a regeneration
    // from etcd 3.6 vendored versionpb, whose generated code imported it).
    for (const file of files.filter((f) => f.endsWith(".js"))) {
      const source = readFileSync(join(gen, file), "utf8");
      expect(source, file).not.toMatch(/file_google_protobuf_descriptor|@bufbuild\/protobuf\/wkt|fileDesc\(/);
    }

    const dts = readFileSync(join(gen, "etcdserverpb/rpc_pb.d.ts"), "utf8");
    const rangeStream = /rangeStream: \{\s*methodKind: "server_streaming";\s*input: typeof RangeRequestSchema;\s*output: typeof RangeStreamResponseSchema;/;
    if (version === "3.7") expect(dts).toMatch(rangeStream);
    else expect(dts).not.toContain("rangeStream");

    const rpc = (await import(pathToFileURL(join(gen, "etcdserverpb/rpc_pb.js")).href)) as Record<string, any>;
    const kv = rpc["KV"] as { method: Record<string, { methodKind: string; input: { typeName: string } }> };
    expect(kv.method["range"]?.methodKind).toBe("unary");
    if (version === "3.7") {
      expect(kv.method["rangeStream"]?.methodKind).toBe("server_streaming");
      expect(kv.method["rangeStream"]?.input.typeName).toBe("etcdserverpb.RangeRequest");
    } else {
      expect(kv.method["rangeStream"]).toBeUndefined();
    }
    const routes = (await import(pathToFileURL(join(gen, "http-routes.js")).href)) as { httpRoutes: Record<string, unknown> };
    expect(routes.httpRoutes["etcdserverpb.KV.Range"]).toEqual({ method: "POST", path: "/v3/kv/range", body: "*" });
    const since = (await import(pathToFileURL(join(gen, "since-versions.js")).href)) as { sinceVersions: Record<string, string> };
    expect(since.sinceVersions).toEqual(annotations.sinceVersions);
  });
});

describe("versionpb/version.proto", () => {
  it.each(["3.6", "3.7"] as const)("%s: is not needed (only its options are used, and they are stripped)", (version) => {
    const { out, result } = sync(version, ["api/versionpb/version.proto"]);
    expect(result().version).toBe(fixtureVersions[version]);
    expect(listFiles(out)).toEqual(baseFiles);
  });

  it("3.6: a missing server proto is named by its 3.5+ path", () => {
    const { result } = sync("3.6", ["server/etcdserver/api/v3election/v3electionpb/v3election.proto"]);
    expect(result).toThrow(/is missing server\/etcdserver\/api\/v3election\/v3electionpb\/v3election\.proto;/);
  });
});
