/**
 * Prints the README's compact benchmark table from bench/results/transport.md (the latest
 * full `pnpm bench transport` run), so the README quotes measured numbers only.
 *
 * @example
 * npx tsx scripts/readme-bench-table.ts
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const path = fileURLToPath(new URL("../bench/results/transport.md", import.meta.url));
const text = readFileSync(path, "utf8");
const date = /- date: (\S+)/.exec(text)?.[1] ?? "?";
const rows: string[] = [];
for (const section of text.split("\n### ").slice(1)) {
  const title = section.split("\n")[0]!.trim();
  const cells = (client: string) =>
    section.split("\n").find((l) => l.startsWith(`| ${client} |`))?.split("|").map((c) => c.trim()).slice(1, -1) ?? [];
  const [, ops, cpu, p50, , vsEtcd3, vsFloor] = cells("etcdkit");
  const [, e3ops, e3cpu, e3p50] = cells("etcd3");
  const [, , floorCpu] = cells("bare-http2");
  rows.push(`| ${title} | ${ops} | ${e3ops} | **${vsEtcd3}** | ${cpu} | ${e3cpu} | ${floorCpu} | **${vsFloor}** | ${p50} | ${e3p50} |`);
}
console.log(`Run of ${date} (\`pnpm bench transport\`):\n`);
console.log("| workload | etcdkit ops/s | etcd3 ops/s | etcdkit / etcd3 | etcdkit CPU µs/op | etcd3 CPU µs/op | floor CPU µs/op | etcdkit CPU / floor | etcdkit p50 µs | etcd3 p50 µs |");
console.log("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
for (const row of rows) console.log(row);
