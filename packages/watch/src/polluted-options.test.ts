import { startEtcd, withPollutedPrototype, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listThenWatch } from "./list-then-watch.js";
import type { Watch } from "./watch.js";
import { connectWatch, type WatchEnv } from "./watch-test-env.test-helpers.js";

/**
 * Watch options are read from own properties only: with Object.prototype polluted while the
 * watch is created (its options are read then), a watch of one key sees that key only, without
 * previous values, and with puts.
 */
describe("watch options with a polluted Object.prototype", () => {
  let cluster: EtcdCluster;
  let env: WatchEnv;
  beforeAll(async () => {
    cluster = await startEtcd();
    env = connectWatch(cluster.endpoints);
  });
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  });

  async function firstEvent(watch: Watch, prefix: string): Promise<unknown> {
    await watch.ready;
    await env.put(`${prefix}ab`, "other");
    await env.put(`${prefix}a`, "mine");
    let timer: NodeJS.Timeout | undefined;
    const none = new Promise<"none">((resolve) => (timer = setTimeout(() => resolve("none"), 5_000)));
    const next = await Promise.race([watch.next(), none]);
    clearTimeout(timer);
    watch.cancel();
    if (next === "none") return "no event within 5 s";
    const event = next.value!.events[0]!;
    return { type: event.type, key: event.kv.keyText(), value: event.kv.text(), prev: event.prevKv === undefined ? "none" : "some" };
  }

  it("watch(key, {}) ignores inherited prefix, end, fromKey, prevKv, noPut and startRevision", async () => {
    const pollutions: Record<string, Record<string, unknown>> = {
      prefix: { prefix: true },
      end: { end: "\0" },
      fromKey: { fromKey: true },
      prevKv: { prevKv: true },
      noPut: { noPut: true },
      startRevision: { startRevision: 1n },
    };
    const seen: Record<string, unknown> = {};
    for (const [name, values] of Object.entries(pollutions)) {
      const prefix = `/polluted-watch/${name}/`;
      await env.put(`${prefix}a`, "before");
      const watch = await withPollutedPrototype(values, () => env.watcher.watch(`${prefix}a`, {}));
      seen[name] = await firstEvent(watch, prefix).catch((e: { reason?: string }) => `error: ${e.reason ?? String(e)}`);
    }
    const expected = { type: "put", key: "", value: "mine", prev: "none" };
    expect(seen).toEqual(
      Object.fromEntries(Object.keys(pollutions).map((name) => [name, { ...expected, key: `/polluted-watch/${name}/a` }])),
    );
  });

  it("listThenWatch(key, {}) lists the key with its value, whatever Object.prototype says of countOnly, keysOnly or limit", async () => {
    const prefix = "/polluted-watch/list/";
    await env.put(`${prefix}a`, "1");
    await env.put(`${prefix}b`, "2");
    const listed = await withPollutedPrototype({ countOnly: true, keysOnly: true, pageSize: 1 }, () =>
      listThenWatch(env.watcher, prefix, { prefix: true }),
    );
    listed.watch.cancel();
    expect(listed.kvs.map((kv) => [kv.keyText(), kv.text()])).toEqual([
      [`${prefix}a`, "1"],
      [`${prefix}b`, "2"],
    ]);
  });
});
