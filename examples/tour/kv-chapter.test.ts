import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kvChapter } from "./kv-chapter.js";
import { createTourContext } from "./tour-context.js";

describe("the tour's KV chapter, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("prints put/get, a sorted prefix, a txn, a compare-and-swap, paging, a namespace and typed input errors", async () => {
    const lines: string[] = [];
    await kvChapter(createTourContext(cluster.endpoints, (line) => lines.push(line)));
    // a fresh etcd starts at revision 1, so the first put lands at revision 2; the get's header
    // names the member that answered (its ID differs per cluster)
    expect(lines[1]).toMatch(/^put greeting = "hello" at revision 2; get → "hello" \(version 1\), answered by member [0-9a-f]+ at revision 2$/);
    expect(lines).toEqual([
      "— KV (@etcdkit/kv) —",
      lines[1],
      "prefix key_ sorted descending → key_2, key_1, key_0",
      'txn if "xyz" > "abc" → then ran; key = XYZ',
      "compare-and-swap on a stale read → rejected; re-read and retried → applied, counter = 6",
      "paginate items/ in pages of 100 → 3 pages, 250 keys, read at 1 pinned revision",
      'namespace app/: getAll → config (replicas 5, prevKv config); stored as app/config',
      'bad input fails before any I/O: get("") → empty-key; a txn awaited without commit() → invalid-argument',
    ]);
  });
});
