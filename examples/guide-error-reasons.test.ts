/**
 * The error tables of the guides in docs/ name real reasons: every `"reason"` in the last column
 * of a table under an "Errors" heading is one of `EtcdErrorReason`'s strings, so a typo or a
 * renamed reason fails here instead of misleading a reader. In the Go table, each row pairs as
 * many `rpctypes` errors as reasons, and those reasons are ones etcd's messages map to.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rpcErrorTable } from "@etcdkit/transport/internal";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

/** Every string of the EtcdErrorReason union, read from its source. */
const reasons = new Set(
  [...read("packages/transport/src/errors/etcd-error-reason.ts").matchAll(/^\s*\|\s*"([a-z0-9-]+)"/gm)].map((m) => m[1]!),
);

/** The table rows (cells, trimmed) under headings that contain "Errors", header and rule rows dropped. */
function errorTableRows(markdown: string): string[][] {
  const rows: string[][] = [];
  let inErrors = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("#")) inErrors = /errors/i.test(line);
    else if (inErrors && line.startsWith("|") && !/^\|\s*:?-/.test(line)) {
      const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
      if (!cells.every((cell) => cell.length > 0) || /reason/.test(cells.at(-1)!) && !cells.at(-1)!.includes('"')) continue;
      rows.push(cells);
    }
  }
  return rows;
}

const quotedReasons = (cell: string) => [...cell.matchAll(/`"([a-z0-9-]+)"`/g)].map((m) => m[1]!);

describe("the guides' error tables", () => {
  it("knows the reason union", () => {
    expect(reasons.size).toBeGreaterThan(60);
    expect(reasons).toContain("compacted");
    expect(reasons).toContain("outcome-unknown");
  });

  for (const guide of ["docs/migrating-from-etcd3.md", "docs/go-to-typescript.md"]) {
    it(`${guide} names only real reasons`, () => {
      const named = errorTableRows(read(guide)).flatMap((cells) => quotedReasons(cells.at(-1)!));
      expect(named.length).toBeGreaterThan(10);
      expect(named.filter((reason) => !reasons.has(reason))).toEqual([]);
    });
  }

  it("pairs each rpctypes error of the Go table with a reason etcd's messages map to", () => {
    const serverReasons = new Set(rpcErrorTable.map((row) => row.reason));
    const rows = errorTableRows(read("docs/go-to-typescript.md")).filter(([go]) => /^`Err[A-Z]/.test(go!));
    expect(rows.length).toBeGreaterThan(20);
    for (const [go, reason] of rows) {
      const names = [...go!.matchAll(/`(Err[A-Za-z]+)`/g)];
      const mapped = quotedReasons(reason!);
      expect(mapped.length, go).toBe(names.length);
      for (const r of mapped) expect(serverReasons, `${go} → ${r}`).toContain(r);
    }
  });
});
