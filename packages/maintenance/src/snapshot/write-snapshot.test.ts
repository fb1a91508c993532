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
});
