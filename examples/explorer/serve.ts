/**
 * `pnpm --filter @etcdkit/examples explorer`: bundles the explorer and serves it on
 * http://127.0.0.1:8080 (PORT to change). Start etcd with `--cors='*'` (or the page's origin),
 * open the page, enter etcd's client URL, Connect.
 *
 * @example
 * etcd --cors='*' &
 * pnpm --filter @etcdkit/examples explorer
 */
import { copyFileSync, mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEntry } from "../runtimes/bundle.js";
import { serveDirectory } from "../runtimes/static-server.js";

const dir = mkdtempSync(join(tmpdir(), "etcdkit-explorer-"));
await bundleEntry("examples/explorer/src/explorer.ts", dir, { platform: "browser", outName: "explorer.mjs" });
copyFileSync(new URL("./index.html", import.meta.url), join(dir, "index.html"));
const served = await serveDirectory(dir);
// A fixed port for people (the test serves on a free one): forward it to the static server.
const port = Number(process.env["PORT"] ?? 8080);
createServer((req, res) => {
  fetch(`${served.url}${req.url ?? "/"}`).then(async (r) => {
    res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "text/plain" });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
}).listen(port, "127.0.0.1", () => console.log(`explorer at http://127.0.0.1:${port}/?etcd=http://127.0.0.1:2379`));
