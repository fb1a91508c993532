import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { create } from "@bufbuild/protobuf";
import { SnapshotResponseSchema, type SnapshotResponse } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { isEtcdError } from "@etcdkit/transport";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadNodeModules } from "./node-modules.js";
import { openFileSink } from "./snapshot-sink.js";
import { writeSnapshot } from "./write-snapshot.js";

/** Messages as etcd sends them: data chunks with remaining_bytes, then the sha256 trailer. */
function messages(data: Uint8Array, chunk: number, trailer?: Uint8Array): SnapshotResponse[] {
  const out: SnapshotResponse[] = [];
  for (let sent = 0; sent < data.length; sent += chunk) {
    const blob = data.subarray(sent, sent + chunk);
    out.push(create(SnapshotResponseSchema, { blob, remainingBytes: BigInt(data.length - sent - blob.length) }));
  }
  out.push(create(SnapshotResponseSchema, { blob: trailer ?? createHash("sha256").update(data).digest(), remainingBytes: 0n }));
  return out;
}

async function* from(list: SnapshotResponse[]): AsyncGenerator<SnapshotResponse> {
  yield* list;
}

describe("writeSnapshot with a file sink", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "etcdkit-write-snapshot-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes, reports progress and commits a verified stream", async () => {
    const node = await loadNodeModules();
    const data = new Uint8Array(100).map((_, i) => i);
    const target = path.join(dir, "ok.db");
    const progress: Array<[number, number | undefined]> = [];
    const result = await writeSnapshot(node, from(messages(data, 40)), await openFileSink(node, target), { verify: true }, (p) =>
      progress.push([p.bytes, p.totalBytes]),
    );
    expect(progress).toEqual([[40, 100], [80, 100], [100, 100], [132, 132]]);
    const written = await readFile(target);
    expect(written.length).toBe(132);
    expect(result).toEqual({ bytes: 132, sha256: createHash("sha256").update(written).digest("hex") });
    expect(await readdir(dir)).toEqual(["ok.db"]);
  });

  it("refuses a stream whose trailer does not match (reason corrupt) and leaves no file", async () => {
    const node = await loadNodeModules();
    const target = path.join(dir, "bad.db");
    const bad = messages(new Uint8Array(100), 40, new Uint8Array(32).fill(7));
    const error = await writeSnapshot(node, from(bad), await openFileSink(node, target), { verify: true }, () => {}).catch(
      (err: unknown) => err,
    );
    expect(isEtcdError(error, "corrupt")).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it("with verify false, keeps what the server sent", async () => {
    const node = await loadNodeModules();
    const target = path.join(dir, "unchecked.db");
    const bad = messages(new Uint8Array(10), 40, new Uint8Array(32).fill(7));
    const result = await writeSnapshot(node, from(bad), await openFileSink(node, target), { verify: false }, () => {});
    expect(result.bytes).toBe(42);
    expect(await readdir(dir)).toEqual(["unchecked.db"]);
  });

  it("refuses an announced size that is not a safe integer (reason corrupt) and leaves no file", async () => {
    const node = await loadNodeModules();
    const target = path.join(dir, "huge.db");
    const hostile = [create(SnapshotResponseSchema, { blob: new Uint8Array(10), remainingBytes: 2n ** 64n - 1n })];
    const progress: unknown[] = [];
    const error = await writeSnapshot(node, from(hostile), await openFileSink(node, target), { verify: true }, (p) => progress.push(p)).catch(
      (err: unknown) => err,
    );
    expect(isEtcdError(error, "corrupt")).toBe(true);
    expect((error as Error).message).toMatch(/announced/);
    expect(progress).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a stream longer than it announced plus the trailer (reason corrupt), before writing past it", async () => {
    const node = await loadNodeModules();
    const target = path.join(dir, "long.db");
    const data = new Uint8Array(100);
    // Announces 100 bytes, then keeps sending.
    const hostile = [
      ...messages(data, 40).slice(0, 3),
      create(SnapshotResponseSchema, { blob: new Uint8Array(40), remainingBytes: 0n }),
      create(SnapshotResponseSchema, { blob: new Uint8Array(40), remainingBytes: 0n }),
    ];
    const progress: number[] = [];
    const error = await writeSnapshot(node, from(hostile), await openFileSink(node, target), { verify: false }, (p) =>
      progress.push(p.bytes),
    ).catch((err: unknown) => err);
    expect(isEtcdError(error, "corrupt")).toBe(true);
    expect((error as Error).message).toMatch(/more than the 100 bytes .* announced/);
    expect(progress).toEqual([40, 80, 100]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("with maxBytes, fails message-too-large as soon as the announced size or the bytes received exceed it", async () => {
    const node = await loadNodeModules();
    const data = new Uint8Array(100);
    const announced = await writeSnapshot(node, from(messages(data, 40)), await openFileSink(node, path.join(dir, "a.db")), { verify: true, maxBytes: 120 }, () => {}).catch(
      (err: unknown) => err,
    );
    expect(isEtcdError(announced, "message-too-large")).toBe(true);
    expect((announced as Error).message).toMatch(/132 bytes.*maxBytes 120/);
    // A server that announces a small size and then keeps sending is stopped by the announcement.
    const silent = Array.from({ length: 5 }, () => create(SnapshotResponseSchema, { blob: new Uint8Array(40), remainingBytes: 0n }));
    const progress: number[] = [];
    const sent = await writeSnapshot(node, from(silent), await openFileSink(node, path.join(dir, "b.db")), { verify: false, maxBytes: 100 }, (p) =>
      progress.push(p.bytes),
    ).catch((err: unknown) => err);
    expect(isEtcdError(sent, "corrupt")).toBe(true);
    expect(progress).toEqual([40]);
    expect(await readdir(dir)).toEqual([]);
    // The exact size passes.
    const exact = await writeSnapshot(node, from(messages(data, 40)), await openFileSink(node, path.join(dir, "c.db")), { verify: true, maxBytes: 132 }, () => {});
    expect(exact.bytes).toBe(132);
  });
});
