/**
 * The programs `pnpm bench cold-start` starts: each does one put and one get of a key against
 * etcd (or nothing at all, for the baselines) and exits as soon as the get is answered, so the
 * time from spawn to exit is process start → first answer. They are written into a work
 * directory inside bench/ (so that the unbundled etcd3 program resolves `etcd3` from bench's
 * node_modules) and the etcdkit ones are bundled with esbuild (minified ESM), as a serverless
 * function would be.
 *
 * @example
 * const programs = await preparePrograms(workDir);
 * spawn("node", [programs.etcdkitGrpc]);
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

const etcdkit = (transport: "grpc" | "gateway") => `
import { createKV } from "@etcdkit/kv";
${transport === "grpc" ? 'import { createTransport as create } from "@etcdkit/transport";' : 'import { createGatewayTransport as create } from "@etcdkit/transport/gateway";'}
const env = globalThis.process?.env ?? globalThis.Deno.env.toObject();
const kv = createKV(create({ endpoints: [env.ETCD_URL] }));
await kv.put("bench/cold-start", "v");
const ok = (await kv.get("bench/cold-start")).kv?.text() === "v";
globalThis.process ? process.exit(ok ? 0 : 2) : Deno.exit(ok ? 0 : 2);
`;

const etcd3 = `
import { Etcd3 } from "etcd3";
const client = new Etcd3({ hosts: process.env.ETCD_URL });
await client.put("bench/cold-start").value("v");
const ok = (await client.get("bench/cold-start").string()) === "v";
process.exit(ok ? 0 : 2);
`;

/** A put and a get as bare node:http2 gRPC calls, requests encoded by hand (the floor). */
const bareHttp2 = `
import { connect } from "node:http2";
const key = Buffer.from("bench/cold-start"), value = Buffer.from("v");
const message = (...fields) => { const body = Buffer.concat(fields.flatMap(([tag, b]) => [Buffer.from([tag, b.length]), b])); const f = Buffer.alloc(5 + body.length); f.writeUInt32BE(body.length, 1); body.copy(f, 5); return f; };
const session = connect(process.env.ETCD_URL);
const call = (path, frame) => new Promise((resolve, reject) => {
  const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
  const chunks = []; let status;
  stream.on("response", (h) => (status ??= h["grpc-status"]));
  stream.on("trailers", (h) => (status = h["grpc-status"]));
  stream.on("data", (c) => chunks.push(c));
  stream.on("error", reject);
  stream.on("end", () => (status === "0" ? resolve(Buffer.concat(chunks)) : reject(new Error("grpc-status " + status))));
  stream.end(frame);
});
await call("/etcdserverpb.KV/Put", message([0x0a, key], [0x12, value]));
const answer = await call("/etcdserverpb.KV/Range", message([0x0a, key]));
process.exit(answer.includes(value) ? 0 : 2);
`;

export interface Programs {
  /** Bundled: createKV(createTransport(...)) put + get. */
  readonly etcdkitGrpc: string;
  /** Bundled: createKV(createGatewayTransport(...)) put + get. */
  readonly etcdkitGateway: string;
  /** Unbundled (etcd3 cannot be bundled: it reads .proto files at run time). */
  readonly etcd3: string;
  readonly bareHttp2: string;
}

/** Writes and bundles the programs into `workDir` (inside bench/). */
export async function preparePrograms(workDir: string): Promise<Programs> {
  mkdirSync(workDir, { recursive: true });
  const bundle = async (name: string, source: string, platform: "node" | "browser") => {
    const outfile = join(workDir, `${name}.mjs`);
    await build({
      stdin: { contents: source, resolveDir: repoRoot, loader: "js", sourcefile: `${name}.js` },
      outfile,
      bundle: true,
      minify: true,
      format: "esm",
      platform,
      target: "es2022",
      conditions: ["@etcdkit/source"],
      external: platform === "node" ? ["node:*"] : [],
      logLevel: "error",
    });
    return outfile;
  };
  const write = (name: string, source: string) => {
    const file = join(workDir, name);
    writeFileSync(file, source);
    return file;
  };
  return {
    etcdkitGrpc: await bundle("etcdkit-grpc", etcdkit("grpc"), "node"),
    etcdkitGateway: await bundle("etcdkit-gateway", etcdkit("gateway"), "browser"),
    etcd3: write("etcd3.mjs", etcd3),
    bareHttp2: write("bare-http2.mjs", bareHttp2),
  };
}
