/**
 * The README's example runs as a test: the code block is taken from packages/torture/README.md
 * as it is, and its console output checked.
 */
import { readFile } from "node:fs/promises";
import { codeBlockAfter, runReadmeBlock } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import * as torture from "./index.js";

describe("packages/torture/README.md", () => {
  it("the history example runs as written and prints what its comment says", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const lines = await runReadmeBlock(codeBlockAfter(readme, "### Checking a history"), { modules: { "@etcdkit/torture": torture } });
    expect(lines).toEqual(["linearizability linearizability, revision-order"]);
  });
});
