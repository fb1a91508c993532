/**
 * The public API of each published package is what its README documents: every value its public
 * entry points export is named in the README, and the helpers etcdkit's packages share sit on the
 * `./internal` subpath (no semver promise), not on the public entries.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { publishedPackages, repoRoot, sourceEntries } from "./published-packages.js";

const packages = publishedPackages().filter((pkg) => pkg.dir !== "gen"); // @etcdkit/api: generated code only

const load = async (file: string): Promise<Record<string, unknown>> =>
  (await import(pathToFileURL(join(repoRoot, file)).href)) as Record<string, unknown>;

describe.each(packages.map((pkg) => [pkg.name, pkg] as const))("%s", (_name, pkg) => {
  it("exports from its public entry points only values its README names", async () => {
    const readme = readFileSync(join(repoRoot, pkg.dir, "README.md"), "utf8");
    const undocumented: string[] = [];
    for (const entry of sourceEntries(pkg).filter((e) => e.subpath !== "./internal")) {
      for (const name of Object.keys(await load(entry.file))) {
        if (!new RegExp(`\\b${name}\\b`).test(readme)) undocumented.push(`${entry.file}: ${name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});

/** Helpers shared by etcdkit's packages: on `./internal`, never on a public entry point. */
const internals: Record<string, string[]> = {
  "@etcdkit/transport": [
    "RequestQueue",
    "reconnectDelayMs",
    "checkTransport",
    "checkCallOptions",
    "booleanOption",
    "ownOptions",
    "typeName",
    "checkRevision",
    "toEtcdError",
    "invalidArgumentError",
    "memberTransport",
    "unrefTimer",
    "keyValueFromMessage",
  ],
  "@etcdkit/kv": ["buildKV", "resolveRange", "prefixRange"],
};

describe.each(Object.entries(internals))("%s/internal", (name, helpers) => {
  const pkg = packages.find((p) => p.name === name)!;

  it("holds the shared helpers, which no public entry point exports", async () => {
    const entries = sourceEntries(pkg);
    const internal = entries.find((e) => e.subpath === "./internal");
    expect(internal?.file).toBeDefined();
    const internalExports = Object.keys(await load(internal!.file));
    expect(helpers.filter((h) => !internalExports.includes(h))).toEqual([]);
    for (const entry of entries.filter((e) => e.subpath !== "./internal")) {
      const publicExports = Object.keys(await load(entry.file));
      expect(helpers.filter((h) => publicExports.includes(h)), entry.file).toEqual([]);
    }
  });
});
