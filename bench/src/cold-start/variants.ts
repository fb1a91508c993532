/**
 * What `pnpm bench cold-start` measures: one variant per (runtime, program), each a command line.
 *
 * @example
 * const variants = coldStartVariants(programs, { bun: "/path/to/bun", deno: "/path/to/deno" });
 */
import type { Programs } from "./programs.js";

export interface Variant {
  readonly id: string;
  readonly runtime: "node" | "bun" | "deno";
  readonly program: string;
  readonly command: string;
  readonly args: readonly string[];
}

export function coldStartVariants(programs: Programs, bins: { bun?: string; deno?: string }): Variant[] {
  const node = process.execPath;
  const out: Variant[] = [
    { id: "node-empty", runtime: "node", program: "`node -e 0`", command: node, args: ["-e", "0"] },
    { id: "node-bare", runtime: "node", program: "bare node:http2 put + get", command: node, args: [programs.bareHttp2] },
    { id: "node-etcdkit", runtime: "node", program: "etcdkit put + get (bundled, gRPC)", command: node, args: [programs.etcdkitGrpc] },
    { id: "node-etcdkit-gateway", runtime: "node", program: "etcdkit put + get (bundled, gateway)", command: node, args: [programs.etcdkitGateway] },
    { id: "node-etcd3", runtime: "node", program: "etcd3 put + get (unbundled)", command: node, args: [programs.etcd3] },
  ];
  if (bins.bun !== undefined) {
    out.push(
      { id: "bun-empty", runtime: "bun", program: "`bun -e 0`", command: bins.bun, args: ["-e", "0"] },
      { id: "bun-etcdkit", runtime: "bun", program: "etcdkit put + get (bundled, gRPC)", command: bins.bun, args: [programs.etcdkitGrpc] },
      { id: "bun-etcdkit-gateway", runtime: "bun", program: "etcdkit put + get (bundled, gateway)", command: bins.bun, args: [programs.etcdkitGateway] },
    );
  }
  if (bins.deno !== undefined) {
    const run = ["run", "--allow-net", "--allow-env", "--allow-read", "--no-prompt"];
    out.push(
      { id: "deno-empty", runtime: "deno", program: "`deno eval 0`", command: bins.deno, args: ["eval", "0"] },
      { id: "deno-etcdkit", runtime: "deno", program: "etcdkit put + get (bundled, gRPC)", command: bins.deno, args: [...run, programs.etcdkitGrpc] },
      { id: "deno-etcdkit-gateway", runtime: "deno", program: "etcdkit put + get (bundled, gateway)", command: bins.deno, args: [...run, programs.etcdkitGateway] },
    );
  }
  return out;
}
