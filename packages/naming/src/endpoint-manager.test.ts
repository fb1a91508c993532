/**
 * createEndpointManager against a real etcd, for compatibility with Go's `naming/endpoints`:
 * values written the way Go's manager writes them (json.Marshal of internal.Update{Op, Addr,
 * Metadata}: fields in that order, null metadata, HTML characters escaped) are listed and watched;
 * values etcdkit writes are those exact bytes; Go's case-insensitive field names are read;
 * undecodable values are skipped as Go skips them; updates are atomic; a lease's end deletes its
 * endpoints and the watch says so.
 */
import { createKV, type KV } from "@etcdkit/kv";
import { createLease } from "@etcdkit/lease";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";
import { createWatch, type Watcher } from "@etcdkit/watch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpointManager } from "./endpoint-manager.js";
import type { EndpointUpdate, EndpointWatch } from "./endpoint-watch.js";

/**
 * The values Go's endpoint manager stores, as `json.Marshal(&internal.Update{Op: Add, Addr: a,
 * Metadata: m})` produces them (Go's encoding/json: struct fields in declaration order, nil
 * interface as null, map keys sorted, `<` `>` `&` escaped as \u003c \u003e \u0026).
 */
const goWritten = {
  plain: '{"Op":0,"Addr":"127.0.0.1:50051","Metadata":null}',
  metadata: '{"Op":0,"Addr":"10.0.0.2:8080","Metadata":{"region":"eu","weight":3}}',
  html: '{"Op":0,"Addr":"a\\u003cb\\u003e\\u0026c:1","Metadata":null}',
  stringMetadata: '{"Op":0,"Addr":"10.0.0.3:9000","Metadata":"primary"}',
};

async function nextUpdates(watch: EndpointWatch): Promise<EndpointUpdate[]> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no updates within 10 s")), 10_000).unref());
  const result = await Promise.race([watch.next(), timeout]);
  if (result.done === true) throw new Error("the watch ended");
  return result.value;
}

describe("createEndpointManager, Go-compatible, against a real etcd", () => {
  let cluster: EtcdCluster;
  let transport: EtcdTransport;
  let source: { kv: KV; watch: Watcher };
  beforeAll(async () => {
    cluster = await startEtcd();
    transport = createTransport({ endpoints: cluster.endpoints });
    source = { kv: createKV(transport), watch: createWatch(transport) };
  });
  afterAll(async () => {
    await transport?.close();
    await cluster?.stop();
  });

  it("lists endpoints Go wrote, and skips what Go could not read", async () => {
    await source.kv.put("go/svc/127.0.0.1:50051", goWritten.plain);
    await source.kv.put("go/svc/10.0.0.2:8080", goWritten.metadata);
    await source.kv.put("go/svc/html", goWritten.html);
    await source.kv.put("go/svc/10.0.0.3:9000", goWritten.stringMetadata);
    await source.kv.put("go/svc/lower", '{"op":0,"addr":"10.0.0.4:1","metadata":{"w":1}}'); // Go matches names case-insensitively
    await source.kv.put("go/svc/garbage", "not json");
    await source.kv.put("go/svc/bad-addr", '{"Op":0,"Addr":5}');
    await source.kv.put("go/svc2/10.9.9.9:1", goWritten.plain); // another target sharing the stem
    const listed = await createEndpointManager(source, "go/svc").list();
    expect(Object.fromEntries(listed)).toEqual({
      "go/svc/10.0.0.2:8080": { addr: "10.0.0.2:8080", metadata: { region: "eu", weight: 3 } },
      "go/svc/10.0.0.3:9000": { addr: "10.0.0.3:9000", metadata: "primary" },
      "go/svc/127.0.0.1:50051": { addr: "127.0.0.1:50051" },
      "go/svc/html": { addr: "a<b>&c:1" },
      "go/svc/lower": { addr: "10.0.0.4:1", metadata: { w: 1 } },
    });
  });

  it("writes exactly the bytes Go writes", async () => {
    const manager = createEndpointManager(source, "ts/svc");
    await manager.add("ts/svc/127.0.0.1:50051", { addr: "127.0.0.1:50051" });
    await manager.add("ts/svc/10.0.0.2:8080", { addr: "10.0.0.2:8080", metadata: { region: "eu", weight: 3 } });
    await manager.add("ts/svc/html", { addr: "a<b>&c:1" });
    await manager.add("ts/svc/10.0.0.3:9000", { addr: "10.0.0.3:9000", metadata: "primary" });
    const stored = async (key: string) => (await source.kv.get(key))?.text();
    expect(await stored("ts/svc/127.0.0.1:50051")).toBe(goWritten.plain);
    expect(await stored("ts/svc/10.0.0.2:8080")).toBe(goWritten.metadata);
    expect(await stored("ts/svc/html")).toBe(goWritten.html);
    expect(await stored("ts/svc/10.0.0.3:9000")).toBe(goWritten.stringMetadata);
  });

  it("watch: first the endpoints present, then each change; Go-written and own values alike", async () => {
    const manager = createEndpointManager(source, "w/svc");
    await source.kv.put("w/svc/127.0.0.1:50051", goWritten.plain);
    const watch = manager.watch();
    expect(await nextUpdates(watch)).toEqual([{ op: "add", key: "w/svc/127.0.0.1:50051", endpoint: { addr: "127.0.0.1:50051" } }]);
    await source.kv.put("w/svc/10.0.0.2:8080", goWritten.metadata); // as a Go service registers
    expect(await nextUpdates(watch)).toEqual([
      { op: "add", key: "w/svc/10.0.0.2:8080", endpoint: { addr: "10.0.0.2:8080", metadata: { region: "eu", weight: 3 } } },
    ]);
    await source.kv.put("w/svc/garbage", "{");
    await manager.update([
      { op: "delete", key: "w/svc/127.0.0.1:50051" },
      { op: "add", key: "w/svc/10.0.0.5:1", endpoint: { addr: "10.0.0.5:1" } },
    ]);
    expect(await nextUpdates(watch)).toEqual([
      { op: "delete", key: "w/svc/127.0.0.1:50051" },
      { op: "add", key: "w/svc/10.0.0.5:1", endpoint: { addr: "10.0.0.5:1" } },
    ]);
    watch.cancel();
    expect((await watch.next()).done).toBe(true);
  });

  it("an endpoint added with a lease goes away with the lease, and the watch says so", async () => {
    const manager = createEndpointManager(source, "l/svc");
    const lease = await createLease(transport).grant(60);
    await manager.add("l/svc/10.0.0.6:1", { addr: "10.0.0.6:1" }, { lease: lease.id });
    expect((await source.kv.get("l/svc/10.0.0.6:1"))?.lease).toBe(lease.id);
    const watch = manager.watch();
    expect((await nextUpdates(watch)).map((u) => u.op)).toEqual(["add"]);
    await lease.revoke();
    expect(await nextUpdates(watch)).toEqual([{ op: "delete", key: "l/svc/10.0.0.6:1" }]);
    expect((await manager.list()).size).toBe(0);
    await watch[Symbol.asyncDispose]();
  });

  it("update is atomic: a failing change applies none", async () => {
    const manager = createEndpointManager(source, "a/svc");
    const error = await manager
      .update([
        { op: "add", key: "a/svc/1", endpoint: { addr: "1" } },
        { op: "add", key: "a/svc/2", endpoint: { addr: "2" }, lease: 123456789n }, // no such lease
      ])
      .catch((e: unknown) => e);
    expect(isEtcdError(error, "lease-not-found")).toBe(true);
    expect((await manager.list()).size).toBe(0);
  });

  it("bad input fails invalid-argument before any I/O", async () => {
    const manager = createEndpointManager(source, "v/svc");
    for (const attempt of [
      () => manager.add("other/1", { addr: "1" }),
      () => manager.add("v/svc1", { addr: "1" }),
      () => manager.add("v/svc/1", { addr: 5 as never }),
      () => manager.add("v/svc/1", { addr: "1", metadata: { big: 1n } }),
      () => manager.update([{ op: "move" as never, key: "v/svc/1" }]),
    ]) {
      expect(isEtcdError(await attempt().catch((e: unknown) => e), "invalid-argument")).toBe(true);
    }
    expect(() => createEndpointManager(source, "")).toThrow(/target/);
    expect(() => createEndpointManager({} as never, "x")).toThrow(/kv and a watch/);
    expect((await source.kv.getPrefix("v/")).count).toBe(0);
  });
});
