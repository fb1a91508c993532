/**
 * Every package README says where its page of the API reference is (`docs/api/...html`, built by
 * `pnpm run docs`). When the reference has been built (npm test builds it before the tests), each
 * page a README names exists, and every published package's README names one.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const built = existsSync(join(repoRoot, "docs", "api", "index.html"));

const published = readdirSync(join(repoRoot, "packages"))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(repoRoot, "packages", dir, "package.json"), "utf8")) as { name: string; private?: boolean } }))
  .filter(({ manifest }) => manifest.private !== true);

describe("API reference links in the package READMEs", () => {
  it("every published package's README names its reference page", () => {
    expect(published.length).toBeGreaterThan(10);
    for (const { dir } of published) {
      const readme = readFileSync(join(repoRoot, "packages", dir, "README.md"), "utf8");
      expect(readme, dir).toMatch(/`pnpm run docs`/);
      expect(readme, dir).toMatch(/`docs\/api\/modules\/[^`]+\.html`/);
    }
  });

  it.skipIf(!built)("every page they name exists in the built reference", () => {
    for (const { dir } of published) {
      const readme = readFileSync(join(repoRoot, "packages", dir, "README.md"), "utf8");
      for (const [, page] of readme.matchAll(/`(docs\/api\/[^`]+\.html)`/g)) {
        expect(existsSync(join(repoRoot, page!)), `${dir}: ${page}`).toBe(true);
      }
    }
  });
});
