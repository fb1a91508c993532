import { defineConfig } from "vitest/config";

/**
 * One vitest run covers unit tests (beside the source) and integration tests
 * against real etcd processes started by @etcdkit/testing.
 * The "source" condition resolves workspace packages to their TypeScript sources,
 * so tests never depend on a stale build.
 */
const conditions = ["source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["source"] } },
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
  },
});
