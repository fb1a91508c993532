import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientChapter } from "./client-chapter.js";
import { createTourContext } from "./tour-context.js";

describe("the tour's client chapter, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("uses createClient for KV, a guarded create, a watch with a leased key, a namespace and the members", async () => {
    const lines: string[] = [];
    await clientChapter(createTourContext(cluster.endpoints, (line) => lines.push(line)));
    expect(lines).toEqual([
      "— one client for everything (etcdkit) —",
      'client.kv: put/get greeting → "hello"',
      "create-if-absent (keyMissing) twice → created, then kept",
      "client.watch saw put jobs/1 (key on a kept-alive lease)",
      'client.namespace("…/app/") → writes app/replicas, sees ["replicas"]',
      "client.cluster → 1 member(s); 1 connection(s) shared by every service",
    ]);
  }, 30_000);
});
