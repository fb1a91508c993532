/** Shared parts of the scale suites' reports: the header lines and writing the report file. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { BenchEtcd } from "../etcd.js";
import { machineInfo } from "../machine.js";
import type { SuiteOptions } from "./types.js";

/** Clients of the scale suites, in table order. */
export const SCALE_CLIENTS = ["etcdkit", "etcd3"] as const;
export type ScaleClient = (typeof SCALE_CLIENTS)[number];

/** Descriptions printed under the tables. */
export const SCALE_CLIENT_TEXT: Record<ScaleClient, string> = {
  etcdkit: "`@etcdkit/watch` / `@etcdkit/lease` on `createTransport({ endpoints: [url] })`",
  etcd3: "the etcd3 npm package 1.1.2 (@grpc/grpc-js), default options",
};

/** The clients selected by --clients (both by default), in table order. */
export function selectedClients(options: SuiteOptions): ScaleClient[] {
  return SCALE_CLIENTS.filter((c) => options.clients === undefined || options.clients.includes(c));
}

/** Date, runtime, machine, etcd and command lines above the tables. */
export function headerLines(etcd: BenchEtcd, options: SuiteOptions, method: string, elapsedS: number, load: [string, string]): string {
  const machine = machineInfo();
  return [
    `- date: ${machine.date}`,
    `- node: ${machine.node}; etcd: ${etcd.version} (${etcd.source}, same machine); machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.os}`,
    `- command: \`${options.command}\``,
    `- method: ${method} Run time ${Math.round(elapsedS)} s; 1-min load average ${load[0]} before, ${load[1]} after.`,
  ].join("\n");
}

/** Writes the report unless the run says not to (--no-write, --quick, filtered runs). */
export async function writeReport(options: SuiteOptions, defaultOut: string, title: string, source: string, body: string): Promise<void> {
  const out = options.out === undefined ? defaultOut : options.out;
  if (out === null) {
    console.error("report file not written (--no-write, --quick or a filtered run; pass --out <file> to write one)");
    return;
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `# ${title}\n\n<!-- Written by \`pnpm bench ${source}\` (bench/src/suites/${source}.ts); rerun it instead of editing. -->\n\n${body}\n`);
  console.error(`report written to ${out}`);
}
