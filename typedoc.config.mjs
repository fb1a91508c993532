// @ts-check
/**
 * `pnpm docs`: one API reference for every published package's public entry point, built by
 * TypeDoc from the JSDoc into docs/api/ (git-ignored). Any warning fails the build.
 */
import { readFileSync, readdirSync } from "node:fs";

const base = JSON.parse(readFileSync(new URL("./tsconfig.base.json", import.meta.url), "utf8"));
const packages = readdirSync(new URL("./packages/", import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => `packages/${d.name}`)
  .filter((dir) => {
    const pkg = JSON.parse(readFileSync(new URL(`./${dir}/package.json`, import.meta.url), "utf8"));
    return pkg.private !== true;
  });

/** @type {Partial<import("typedoc").TypeDocOptions>} */
const config = {
  name: "etcdkit",
  entryPointStrategy: "packages",
  entryPoints: packages,
  packageOptions: {
    entryPoints: ["src/index.ts"],
    tsconfig: "tsconfig.build.json",
    // Resolve sibling packages to their sources, as the rest of the workspace does.
    compilerOptions: { customConditions: base.compilerOptions.customConditions },
    excludePrivate: true,
    excludeInternal: true,
  },
  out: "docs/api",
  readme: "none",
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
};
export default config;
