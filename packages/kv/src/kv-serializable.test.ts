/**
 * `serializable` against a real 3-member cluster: with two members gone there is no quorum, so a
 * linearizable read cannot complete, while a serializable read is served by the member alone.
 * This fails if the option were not sent.
 */
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { isEtcdError } from "@etcdkit/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectKV } from "./kv-test-env.test-helpers.js";

describe("serializable reads, against a 3-member etcd without quorum", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3 });
  });
  afterAll(() => cluster?.stop());

  it("a serializable read succeeds where a linearizable one cannot", async () => {
    const writer = connectKV(cluster.endpoints);
    const lone = connectKV([cluster.members[0]!.endpoint]);
    try {
      await writer.kv.put("serializable-key", "replicated");
      // wait until member 0 applied the write
      for (let i = 0; i < 50; i++) {
        const { kv: seen } = await lone.kv.get("serializable-key", { serializable: true });
        if (seen !== undefined) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await cluster.kill(1);
      await cluster.kill(2);

      const { kv: item } = await lone.kv.get("serializable-key", { serializable: true, timeoutMs: 3_000 });
      expect(item?.text()).toBe("replicated");
      const range = await lone.kv.getPrefix("serializable-", { serializable: true, timeoutMs: 3_000 });
      expect(range.count).toBe(1);

      const started = Date.now();
      const linearizable = await lone.kv.get("serializable-key", { timeoutMs: 1_500 }).catch((e: unknown) => e);
      expect(isEtcdError(linearizable)).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await writer.close();
      await lone.close();
    }
  });
});
