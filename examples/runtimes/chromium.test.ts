/**
 * Headless Chromium, for real: a page served from one origin talks to etcd on another (started
 * with --cors) through the gateway transport; the page asserts every step itself. A screenshot is
 * saved to .etcdkit-tmp/artifacts/chromium-page.png.
 */
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createOwnedTempDir, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, artifactsDir } from "./browser-session.js";
import { bundleEntry } from "./bundle.js";
import { serveDirectory, type StaticServer } from "./static-server.js";

const temp = createOwnedTempDir("chromium");
let cluster: EtcdCluster;
let server: StaticServer;
beforeAll(async () => {
  [cluster] = await Promise.all([
    startEtcd({ members: 1, flags: ["--cors=*"] }),
    bundleEntry("examples/runtimes/page/page-script.ts", temp, { platform: "browser", outName: "page.mjs" }),
  ]);
  copyFileSync(new URL("./page/index.html", import.meta.url), join(temp, "index.html"));
  server = await serveDirectory(temp);
});
afterAll(async () => {
  await server?.close();
  await cluster?.[Symbol.asyncDispose]();
  rmSync(temp, { recursive: true, force: true });
});

describe("Chromium", () => {
  it("runs put, get, txn, watch and lease keepalive from a page on another origin (etcd --cors)", async () => {
    await using browser = await openBrowser();
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${server.url}/?etcd=${encodeURIComponent(cluster.clientUrls[0]!)}`);
    const result = await page.waitForFunction(() => (window as unknown as { etcdkitResult?: string }).etcdkitResult, undefined, { timeout: 30_000 });
    await page.screenshot({ path: join(artifactsDir, "chromium-page.png") });
    expect(await result.jsonValue(), errors.join("\n")).toBe("passed");
    expect(await page.locator("#steps li").count()).toBe(7);
  });
});
