import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { bytesToText, createTransport, isEtcdError, prefixRangeEnd, toBytes, type EtcdTransport } from "@etcdkit/transport";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMaintenance } from "./create-maintenance.js";
import type { Maintenance } from "./maintenance.js";
import type { SnapshotProgress } from "./snapshot/snapshot-task.js";
import { makeTempDir, restoreAndStart, type RestoredEtcd } from "./snapshot.test-helpers.js";

const KEYS = 200;
const PREFIX = "/snapshot-test/";

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Snapshots of a real etcd (behind the harness's TCP proxy, to break a stream on purpose),
 * proven by restoring them with etcdctl into a new etcd and reading the keys back.
 */
describe("snapshot against a real etcd", () => {
  let etcd: EtcdCluster;
  let transport: EtcdTransport;
  let maintenance: Maintenance;
  let endpoint: string;
  let dir: string;
  let restored: RestoredEtcd | undefined;

  beforeAll(async () => {
    etcd = await startEtcd({ proxy: true });
    endpoint = etcd.endpoints[0]!;
    transport = createTransport({ endpoints: etcd.endpoints });
    maintenance = createMaintenance(transport);
    // ~1 MiB of data, so the snapshot streams in many 32 KiB messages.
    const kv = createClient(KV, transport);
    const value = "x".repeat(5_000);
    for (let i = 0; i < KEYS; i++) await kv.put({ key: toBytes(`${PREFIX}${String(i).padStart(3, "0")}`), value: toBytes(`${i}:${value}`) });
  });
  afterAll(async () => {
    await transport?.close();
    await etcd?.stop();
  });
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await restored?.stop();
    restored = undefined;
    etcd.members[0]!.proxy!.setMode("pass");
    await rm(dir, { recursive: true, force: true });
  });

  it("saves to a file with progress and a sha256; etcdctl restores it and the keys read back", async () => {
    const target = path.join(dir, "backup.db");
    const events: SnapshotProgress[] = [];
    const result = await maintenance.snapshot(endpoint, target, { onProgress: (p) => events.push(p) });

    const { size, mode } = await stat(target);
    expect(result.path).toBe(target);
    expect(result.bytes).toBe(size);
    expect(size).toBeGreaterThan(1_000_000);
    expect(result.sha256).toBe(await sha256File(target));
    expect(mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["backup.db"]); // no temp file left

    expect(events.length).toBeGreaterThan(10);
    for (let i = 1; i < events.length; i++) expect(events[i]!.bytes).toBeGreaterThan(events[i - 1]!.bytes);
    expect(events[0]!.totalBytes).toBeGreaterThanOrEqual(size - 32); // known from the first message
    expect(events.at(-1)).toEqual({ bytes: size, totalBytes: size });

    restored = await restoreAndStart(target);
    const copy = createTransport({ endpoints: [restored.clientUrl] });
    try {
      const prefix = toBytes(PREFIX);
      const got = await createClient(KV, copy).range({ key: prefix, rangeEnd: prefixRangeEnd(prefix) });
      expect(got.count).toBe(BigInt(KEYS));
      expect(bytesToText(got.kvs[0]!.key)).toBe(`${PREFIX}000`);
      expect(bytesToText(got.kvs[KEYS - 1]!.value).startsWith(`${KEYS - 1}:xxx`)).toBe(true);
    } finally {
      await copy.close();
    }
  });

  it("is an async iterable of progress that ends with the file size", async () => {
    const target = path.join(dir, "iterated.db");
    const task = maintenance.snapshot(endpoint, target);
    const seen: SnapshotProgress[] = [];
    for await (const progress of task) seen.push(progress);
    const result = await task;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toEqual({ bytes: result.bytes, totalBytes: result.bytes });
    expect((await stat(target)).size).toBe(result.bytes);
  });

  it("streams into a Node.js Writable, ending it; the bytes match a file snapshot's size and trailer", async () => {
    const sink = new PassThrough({ highWaterMark: 16 * 1024 }); // small buffer: exercises 'drain'
    const chunks: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => chunks.push(chunk));
    const result = await maintenance.snapshot(endpoint, sink);
    const bytes = Buffer.concat(chunks);
    expect(sink.writableFinished).toBe(true);
    expect(result.path).toBeUndefined();
    expect(result.bytes).toBe(bytes.length);
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    // etcd's trailer: the last 32 bytes are the sha256 of everything before them.
    expect(createHash("sha256").update(bytes.subarray(0, -32)).digest().equals(bytes.subarray(-32))).toBe(true);
  });

  it("aborted after the first progress event: rejects with canceled, leaves no file and no temp file", async () => {
    const target = path.join(dir, "aborted.db");
    const abort = new AbortController();
    let events = 0;
    const task = maintenance.snapshot(endpoint, target, {
      signal: abort.signal,
      onProgress: () => {
        events++;
        abort.abort();
      },
    });
    await expect(task).rejects.toSatisfy((err) => isEtcdError(err, "canceled"));
    expect(events).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a stream broken midway (connection reset) leaves an existing target untouched and no temp file", async () => {
    const target = path.join(dir, "existing.db");
    await writeFile(target, "previous backup");
    // ~16 MiB more, so that the rest of the snapshot cannot already sit in socket buffers and
    // flow-control windows when the first message arrives (with ~1 MiB a CI run completed it).
    const kv = createClient(KV, transport);
    const big = toBytes("y".repeat(256 * 1024));
    for (let i = 0; i < 64; i++) await kv.put({ key: toBytes(`reset-filler/${i}`), value: big });
    const proxy = etcd.members[0]!.proxy!;
    // Through the proxy: the transport's connection to the member, reset after the first message.
    const task = maintenance.snapshot(endpoint, target, { onProgress: () => proxy.setMode("reset") });
    const error = await task.catch((err: unknown) => err);
    expect(isEtcdError(error, "unavailable"), `snapshot ended with ${String(error)}`).toBe(true);
    expect(await readdir(dir)).toEqual(["existing.db"]);
    expect(await readFile(target, "utf8")).toBe("previous backup");
  });

  it("maxBytes below the database size fails message-too-large at the first message; at its size it passes", async () => {
    const first = await maintenance.snapshot(endpoint, path.join(dir, "sized.db"));
    const target = path.join(dir, "limited.db");
    const events: SnapshotProgress[] = [];
    const error = await maintenance
      .snapshot(endpoint, target, { maxBytes: 64 * 1024, onProgress: (p) => events.push(p) })
      .catch((err: unknown) => err);
    expect(isEtcdError(error, "message-too-large")).toBe(true);
    expect(events).toEqual([]);
    expect(await readdir(dir)).toEqual(["sized.db"]);
    // The database has not changed since: its size is the limit it fits in.
    const exact = await maintenance.snapshot(endpoint, target, { maxBytes: first.bytes });
    expect(exact.bytes).toBe(first.bytes);
  });

  it("rejects a missing endpoint or target before any I/O, and a directory that does not exist", async () => {
    await expect(maintenance.snapshot("", path.join(dir, "x.db"))).rejects.toSatisfy((err) => isEtcdError(err, "invalid-argument"));
    await expect(maintenance.snapshot(endpoint, "")).rejects.toSatisfy((err) => isEtcdError(err, "invalid-argument"));
    await expect(maintenance.snapshot(endpoint, {} as never)).rejects.toSatisfy((err) => isEtcdError(err, "invalid-argument"));
    const error = await maintenance.snapshot(endpoint, path.join(dir, "missing", "x.db")).catch((err: unknown) => err);
    expect(isEtcdError(error, "unknown")).toBe(true);
    expect((error as Error).message).toMatch(/ENOENT/);
  });
});
