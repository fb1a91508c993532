import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTourContext } from "./tour-context.js";
import { watchLeaseChapter } from "./watch-lease-chapter.js";

describe("the tour's watch and lease chapter, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("prints a txn as one batch, an update with prevKv, a list-then-watch cache, and lease keepalive / revoke / loss", async () => {
    const lines: string[] = [];
    await watchLeaseChapter(createTourContext(cluster.endpoints, (line) => lines.push(line)));
    expect(lines).toEqual([
      "— watch and lease (@etcdkit/watch, @etcdkit/lease) —",
      "watch config/ → put config/a=1, put config/b=2 (one txn: 2 events, one batch, one revision: true)",
      "update config/a → put config/a=10 (was 1)",
      "listThenWatch services/ → 2 keys at revision R, then 2 changes from R + 1; cache = beta, gamma",
      "lease (TTL 2 s) kept alive for 3 s → key still there, renewed every ~TTL/3, lost: no",
      "scope left (await using) → lease revoked, key gone",
      "unrenewed lease → lost (deadline) at its deadline; signal aborted: true",
    ]);
  }, 30_000);
});
