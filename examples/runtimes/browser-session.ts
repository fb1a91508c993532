/**
 * Headless Chromium (Debian's) driven by playwright-core, with the flags this machine needs and
 * a fresh profile; screenshots go to `.etcdkit-tmp/artifacts/` (kept after the run).
 *
 * @example
 * await using browser = await openBrowser();
 * const page = await browser.context.newPage();
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { chromiumArgs, chromiumBinary } from "./runtime-binaries.js";

/** Where test screenshots are written. */
export const artifactsDir = fileURLToPath(new URL("../../.etcdkit-tmp/artifacts/", import.meta.url));

export interface BrowserSession extends AsyncDisposable {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), "etcdkit-chromium-"));
  const args = chromiumArgs(profile).filter((a) => !a.startsWith("--user-data-dir") && a !== "--headless");
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumBinary(), headless: true, args, timeout: 60_000 });
  mkdirSync(artifactsDir, { recursive: true });
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close, [Symbol.asyncDispose]: close };
}
