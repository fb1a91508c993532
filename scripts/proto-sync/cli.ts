/**
 * `pnpm proto:sync --from <etcd source root> [--out proto]`
 *
 * @example
 * pnpm proto:sync --from /usr/share/gocode/src/go.etcd.io/etcd
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ProtoSyncError, syncProtos } from "./sync-protos.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const usage = "usage: pnpm proto:sync --from <etcd source root> [--out <dir>]";
let values: { from?: string | undefined; out?: string | undefined };
try {
  ({ values } = parseArgs({
    options: { from: { type: "string" }, out: { type: "string", default: `${repoRoot}proto` } },
  }));
} catch (error) {
  // An unknown option or a missing value: the error and the usage, not a stack trace.
  console.error(`proto:sync: ${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (!values.from) {
  console.error(usage);
  process.exit(2);
}
try {
  // Never the checkout itself or a directory containing it, whatever --out says.
  const result = syncProtos({ from: values.from, out: values.out!, protectedPaths: [repoRoot] });
  console.log(`synced etcd ${result.version} (${result.layout}) into ${values.out}: ${result.files.join(", ")}`);
} catch (error) {
  if (error instanceof ProtoSyncError) {
    console.error(`proto:sync: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
