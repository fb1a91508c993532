/**
 * Where etcd keeps its API protos, per source layout, and where they go in `proto/`.
 *
 * etcd 3.4 (and Debian's `golang-etcd-server-dev` tree) keeps them beside the server code;
 * etcd 3.5+ moved them into the `api/` and `server/` modules. etcd 3.6 added
 * `versionpb/version.proto`, which only defines the custom options that mark since-versions; those
 * options are stripped (their values go to annotations.json), so the file is not vendored: its
 * generated code would import google/protobuf/descriptor.proto for nothing.
 *
 * @example
 * const layout = detectLayout("/usr/share/gocode/src/go.etcd.io/etcd"); // the 3.4 layout
 */
import { statSync } from "node:fs";
import { join } from "node:path";

export interface VendoredProto {
  /** Path inside `proto/` (the normalized, flat layout). */
  target: string;
  /** Path inside the etcd source tree. */
  source: string;
}

export interface EtcdSourceLayout {
  name: string;
  /** A file whose presence identifies the layout. */
  marker: string;
  versionFile: string;
  protos: VendoredProto[];
}

export const etcdSourceLayouts: readonly EtcdSourceLayout[] = [
  {
    name: "etcd 3.5+ (api/ and server/ modules)",
    marker: "api/etcdserverpb/rpc.proto",
    versionFile: "api/version/version.go",
    protos: [
      { target: "etcdserverpb/rpc.proto", source: "api/etcdserverpb/rpc.proto" },
      { target: "mvccpb/kv.proto", source: "api/mvccpb/kv.proto" },
      { target: "authpb/auth.proto", source: "api/authpb/auth.proto" },
      { target: "v3lockpb/v3lock.proto", source: "server/etcdserver/api/v3lock/v3lockpb/v3lock.proto" },
      {
        target: "v3electionpb/v3election.proto",
        source: "server/etcdserver/api/v3election/v3electionpb/v3election.proto",
      },
    ],
  },
  {
    name: "etcd 3.4",
    marker: "etcdserver/etcdserverpb/rpc.proto",
    versionFile: "version/version.go",
    protos: [
      { target: "etcdserverpb/rpc.proto", source: "etcdserver/etcdserverpb/rpc.proto" },
      { target: "mvccpb/kv.proto", source: "mvcc/mvccpb/kv.proto" },
      { target: "authpb/auth.proto", source: "auth/authpb/auth.proto" },
      { target: "v3lockpb/v3lock.proto", source: "etcdserver/api/v3lock/v3lockpb/v3lock.proto" },
      { target: "v3electionpb/v3election.proto", source: "etcdserver/api/v3election/v3electionpb/v3election.proto" },
    ],
  },
];

/** The layout whose marker file exists under `root`, or undefined for a tree that is not etcd. */
export function detectLayout(root: string): EtcdSourceLayout | undefined {
  return etcdSourceLayouts.find((layout) => isFile(join(root, layout.marker)));
}

/** True for a regular file (or a symlink to one); false for directories and missing paths. */
export function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** Packages whose imports are dropped together with the options they provide. */
const droppedImports = [/^gogoproto\//, /^github\.com\/gogo\//, /^google\/api\//, /^protoc-gen-openapiv2\//, /versionpb\/version\.proto$/];

/**
 * Maps an import as etcd writes it to the flat `proto/` layout, or null to drop it.
 * `google/protobuf/*` (well-known types) is kept as is.
 *
 * @example
 * rewriteEtcdImport("etcd/mvcc/mvccpb/kv.proto"); // "mvccpb/kv.proto"
 * rewriteEtcdImport("gogoproto/gogo.proto");       // null
 */
export function rewriteEtcdImport(path: string): string | null {
  if (droppedImports.some((pattern) => pattern.test(path))) return null;
  if (path.startsWith("google/protobuf/")) return path;
  const match = /(etcdserverpb\/rpc|mvccpb\/kv|authpb\/auth|v3lockpb\/v3lock|v3electionpb\/v3election)\.proto$/.exec(path);
  if (match) return `${match[1]}.proto`;
  throw new Error(`unexpected import "${path}": add it to scripts/proto-sync/etcd-source-layouts.ts`);
}
