import { runScript, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Options are read from own properties only: a polluted Object.prototype (from a bug elsewhere
 * in the process) changes no KV call. Runs in a child process, polluted one name at a time.
 */
describe("KV options with a polluted Object.prototype", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("kv.delete(key, {}) deletes that key only; every other option keeps its default", async () => {
    const { code, stdout, stderr } = await runScript(new URL("./polluted-options.test-helpers.ts", import.meta.url), [cluster.endpoints[0]!]);
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({
      "delete: prefix": [1, 1],
      "delete: fromKey": [1, 1],
      "delete: end": [1, 1],
      "do(op.delete): prefix": [1, 1],
      "txn delete: prefix": [true, 1],
      "range: end": 1,
      "range: countOnly": 1,
      "getPrefix: limit": 2,
      "getPrefix: sort": ["1", "2"],
      "get: keysOnly": "1",
      "get: revision": "1",
      "get: timeoutMs": "1",
      "get without options: timeoutMs": "1",
      "put: lease": "put",
      "put: ignoreValue": "put",
      "delete: prevKv": 0,
      "paginate: pageSize": 1,
    });
  });
});
