import { runScript, startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Transport options (and the call options every package passes through connectCallOptions) are
 * read from own properties only: a polluted Object.prototype sets none of them. Runs in a child
 * process, polluted one name at a time.
 */
describe("transport options with a polluted Object.prototype", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("createTransport, tls, auth, syncEndpoints and call options ignore inherited values", async () => {
    const { code, stdout, stderr } = await runScript(new URL("./polluted-options.test-helpers.ts", import.meta.url), [cluster.endpoints[0]!]);
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({
      "createTransport: timeoutMs": { authentications: 0 },
      "createTransport: dialTimeoutMs": { authentications: 0 },
      "createTransport: tls": { authentications: 0 },
      "createTransport: auth": { authentications: 0 },
      "createTransport: username": "invalid-argument",
      "tls: rejectUnauthorized": 0,
      "call: timeoutMs": { authentications: 0 },
      "error: outcomeUnknown": ["empty-key", false],
      "syncEndpoints: timeoutMs": 1,
    });
  });
});
