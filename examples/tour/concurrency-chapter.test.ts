import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { concurrencyChapter } from "./concurrency-chapter.js";
import { createTourContext } from "./tour-context.js";

describe("the tour's concurrency chapter, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("prints a guarded write, a refused tryLock, a fenced-off late holder, an observed election, an STM transfer and a blocking queue", async () => {
    const lines: string[] = [];
    await concurrencyChapter(createTourContext(cluster.endpoints, (line) => lines.push(line)));
    expect(lines).toEqual([
      "— locks, elections, STM (@etcdkit/concurrency) —",
      "alice locks → guarded write applied: true",
      "bob tryLock → locked (alice holds it)",
      "alice's lease ends → bob holds it (fencing token grew: true); alice's late write applied: false",
      "election observed → no leader → bob → bob, v2 → no leader",
      "STM transfer of 25 → balances 75 / 25 (attempts: 1)",
      'queue → dequeue waited for "job 1"',
    ]);
  }, 30_000);
});
