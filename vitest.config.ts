import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { defineConfig, type Plugin } from "vitest/config";

/**
 * One vitest run covers unit tests (beside the source) and integration tests
 * against real etcd processes started by @etcdkit/testing.
 * The project-scoped "@etcdkit/source" condition resolves workspace packages to their TypeScript
 * sources, so tests never depend on a stale build (and a consumer's own "source" condition never
 * resolves our `.ts` files).
 */
const conditions = ["@etcdkit/source", "module", "node", "development|production"];

/**
 * OpenTelemetry's packages (tests of @etcdkit/otel) as ES modules that Vite transforms: test
 * processes run with the conditions above, so Node would load @opentelemetry/api's build for
 * bundlers (the "module" condition), whose imports have no file extensions. Each package without
 * `exports` resolves to its `module` build, and all of them are inlined (see `server.deps`).
 */
function otelModules(): Plugin {
  return {
    name: "etcdkit:otel-modules",
    enforce: "pre",
    async resolveId(id, importer) {
      if (!/^@opentelemetry\/[^/]+$/.test(id)) return null;
      const resolved = await this.resolve(id, importer, { skipSelf: true });
      if (resolved === null) return null;
      for (let dir = dirname(resolved.id); dir !== dirname(dir); dir = dirname(dir)) {
        let manifest: { name?: string; module?: string; exports?: unknown };
        try {
          manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as typeof manifest;
        } catch {
          continue;
        }
        if (manifest.name !== id) continue;
        return manifest.exports === undefined && manifest.module !== undefined ? join(dir, manifest.module) : resolved;
      }
      return resolved;
    },
  };
}

export default defineConfig({
  plugins: [otelModules()],
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@etcdkit/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "scripts/**/*.test.ts", "examples/**/*.test.ts", "gen/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Sweeps etcd processes and temp dirs left by crashed test workers, before and after the run.
    globalSetup: ["packages/testing/src/global-setup.ts"],
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ["default"],
    server: { deps: { inline: [/@opentelemetry\//] } },
  },
});
