/**
 * The keyspace explorer in headless Chromium against a real etcd (another origin, --cors): the
 * test clicks through it as a user would and checks the DOM: browse a prefix page by page, open a
 * key, save an edit with compare-and-swap, see a conflicting save refused after someone else
 * changed the key, and see every change in the live watch feed. Its screenshot is the README's.
 */
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createKV } from "@etcdkit/kv";
import { createTransport } from "@etcdkit/transport";
import { createOwnedTempDir, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactsDir, openBrowser } from "../runtimes/browser-session.js";
import { bundleEntry } from "../runtimes/bundle.js";
import { serveDirectory, type StaticServer } from "../runtimes/static-server.js";

const temp = createOwnedTempDir("explorer");
let cluster: EtcdCluster;
let server: StaticServer;
beforeAll(async () => {
  [cluster] = await Promise.all([
    startEtcd({ members: 1, flags: ["--cors=*"] }),
    bundleEntry("examples/explorer/src/explorer.ts", temp, { platform: "browser", outName: "explorer.mjs" }),
  ]);
  copyFileSync(new URL("./index.html", import.meta.url), join(temp, "index.html"));
  server = await serveDirectory(temp);
  await using seed = createTransport({ endpoints: cluster.clientUrls });
  const kv = createKV(seed);
  for (let i = 1; i <= 23; i++) await kv.put(`app/config/${String(i).padStart(2, "0")}`, JSON.stringify({ replicas: i }));
  await kv.put("other/key", "not under app/");
});
afterAll(async () => {
  await server?.close();
  await cluster?.[Symbol.asyncDispose]();
  rmSync(temp, { recursive: true, force: true });
});

describe("the explorer", () => {
  it("browses by prefix with paging, shows a key, saves with compare-and-swap, refuses a stale save, and follows changes live", async () => {
    await using browser = await openBrowser();
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1100, height: 760 });
    await page.goto(`${server.url}/?etcd=${encodeURIComponent(cluster.clientUrls[0]!)}`);
    await page.click("#connect");
    await page.waitForSelector("#connection:has-text('connected: 24 keys')");
    await page.fill("#prefix", "app/");
    await page.click("#browse-button");
    const keys = () => page.locator("#keys td.key").allTextContents();
    await page.waitForFunction(() => document.querySelector("#page")?.textContent?.startsWith("page 1"));
    expect(await keys()).toEqual(Array.from({ length: 10 }, (_, i) => `app/config/${String(i + 1).padStart(2, "0")}`));
    await page.click("#next");
    await page.waitForSelector("#page:has-text('page 2')");
    expect((await keys())[0]).toBe("app/config/11");
    await page.click("#next");
    await page.waitForSelector("#page:has-text('page 3')");
    expect(await keys()).toEqual(["app/config/21", "app/config/22", "app/config/23"]);
    expect(await page.locator("#next").isDisabled()).toBe(true);

    // Open a key and save an edit.
    await page.click("tr[data-key='app/config/22']");
    await page.waitForSelector("#details dd:has-text('app/config/22')");
    expect(await page.inputValue("#value")).toBe('{"replicas":22}');
    await page.fill("#value", '{"replicas":3}');
    await page.click("#save");
    await page.waitForSelector("#save-status.ok");
    expect(await page.textContent("#save-status")).toMatch(/^saved at revision \d+$/);
    expect(await page.locator("#details dd").nth(1).textContent()).toBe("2"); // version 2

    // Someone else writes the key: saving the stale view is refused, not applied.
    await using other = createTransport({ endpoints: cluster.clientUrls });
    await createKV(other).put("app/config/22", "changed elsewhere");
    await page.fill("#value", '{"replicas":4}');
    await page.click("#save");
    await page.waitForSelector("#save-status.error");
    expect(await page.textContent("#save-status")).toContain("changed since it was shown (now version 3)");
    expect((await createKV(other).get("app/config/22"))?.text()).toBe("changed elsewhere");

    // The live feed shows both writes under app/, and nothing else.
    await createKV(other).delete("app/config/21");
    await createKV(other).put("other/key", "ignored");
    await page.waitForSelector("#feed li.delete");
    const feed = await page.locator("#feed li").allTextContents();
    expect(feed.map((line) => line.replace(/^rev \d+\s+/, ""))).toEqual([
      "DELETE  app/config/21",
      "PUT  app/config/22 = changed elsewhere",
      'PUT  app/config/22 = {"replicas":3}',
    ]);
    await page.click("tr[data-key='app/config/22']");
    await page.waitForSelector("#details dd:has-text('3')");
    await page.screenshot({ path: join(artifactsDir, "explorer.png") });
    if (process.env["UPDATE_SCREENSHOT"] === "1") copyFileSync(join(artifactsDir, "explorer.png"), fileURLToPath(new URL("./screenshot.png", import.meta.url)));
  });
});
