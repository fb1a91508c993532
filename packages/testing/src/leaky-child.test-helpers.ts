/**
 * Child-process fixture for leftovers.test.ts: starts a cluster, prints where it lives, then
 * ends WITHOUT stop(), the way a crashing or killed test process would.
 * argv: <mode: exit | sigterm | throw> <members>
 */
import { startEtcd } from "./etcd-cluster.js";

const mode = process.argv[2] ?? "exit";
const members = Number(process.argv[3] ?? "1");
const cluster = await startEtcd({ members, proxy: true });
process.stdout.write(
  `${JSON.stringify({ pid: process.pid, root: cluster.root, pids: cluster.members.map((m) => m.pid) })}\n`,
  () => {
    if (mode === "exit") process.exit(0);
    if (mode === "sigterm") process.kill(process.pid, "SIGTERM");
    if (mode === "throw") throw new Error("leaky child crashed on purpose");
  },
);
setInterval(() => {}, 1_000);
