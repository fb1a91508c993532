import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawClientsChapter } from "./raw-clients.js";
import { createTourContext } from "./tour-context.js";

describe("the tour, against a real etcd", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(() => cluster?.stop());

  it("generated clients: put, get, and a watch that receives one PUT event", async () => {
    const lines: string[] = [];
    const ctx = createTourContext(cluster.endpoints, (line) => lines.push(line));
    await rawClientsChapter(ctx);
    const key = `${ctx.prefix}greeting`;
    // A fresh etcd starts at revision 1, so the first put lands at revision 2.
    expect(lines).toContain(`put ${key} → revision 2`);
    expect(lines).toContain(`get ${key} → "hello, etcd" (version 1)`);
    expect(lines).toContain(`watch saw PUT ${key} = "hello again" at revision 3`);
  });
});
