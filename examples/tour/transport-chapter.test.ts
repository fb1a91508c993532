import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transportChapter } from "./transport-chapter.js";
import { createTourContext } from "./tour-context.js";

describe("the tour's transport chapter, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("shows the server version, typed errors, abort and call statistics", async () => {
    const lines: string[] = [];
    await transportChapter(createTourContext(cluster.endpoints, (line) => lines.push(line)));
    expect(lines).toContain("connected to etcd 3.4.23 (1 endpoint(s))");
    expect(lines).toContain('a read past the head fails typed: reason "future-revision"');
    expect(lines).toContain('an aborted call fails with reason "canceled"');
    expect(lines.at(-1)).toMatch(/^calls so far: [34], retries: 0$/);
  });
});
