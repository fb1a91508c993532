import { EtcdError } from "@etcdkit/transport";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { groupHistory } from "./history.js";
import { createFileSink, createMemorySink } from "./history-sink.js";
import { decodeRecord, encodeRecord } from "./json-codec.js";
import { createRecorder } from "./recorder.js";

describe("recorder", () => {
  it("records ok, failed and unknown-outcome operations with monotonic times", async () => {
    const recorder = createRecorder(createMemorySink());
    const client = recorder.newClient();
    const ok = await recorder.kv(client, "register", { f: "put", key: "k", value: recorder.uniqueValue(client) }, async () => ({ f: "put", revision: 5n }));
    const refused = await recorder.kv(client, "register", { f: "put", key: "k", value: recorder.uniqueValue(client) }, async () => {
      throw new EtcdError("no endpoint", "unavailable");
    });
    const unknown = await recorder.kv(client, "register", { f: "put", key: "k", value: recorder.uniqueValue(client) }, async () => {
      throw new EtcdError("deadline", "deadline-exceeded", undefined, { outcomeUnknown: true });
    });
    const read = await recorder.kv(client, "register", { f: "get", key: "k" }, async () => {
      throw new EtcdError("lost", "outcome-unknown");
    });
    expect([ok.status, refused.status, unknown.status, read.status]).toEqual(["ok", "fail", "unknown", "fail"]);
    expect(unknown.return).toBe(Infinity);
    expect(refused.return).toBeGreaterThanOrEqual(refused.invoke);
    expect(ok.input).toMatchObject({ value: `c${client}-1` });
    expect(refused.input).toMatchObject({ value: `c${client}-2` });
    expect(recorder.stats).toEqual({ operations: 4, ok: 1, failed: 2, unknown: 1 });
  });

  it("writes JSON lines that keep bigints and Infinity, and merges streamed watch batches back", async () => {
    expect(decodeRecord(encodeRecord({ r: 12345678901234567890n, t: Infinity, s: "12n" }))).toEqual({ r: 12345678901234567890n, t: Infinity, s: "12n" });
    const dir = mkdtempSync(path.join(tmpdir(), "torture-sink-"));
    try {
      const sink = createFileSink(path.join(dir, "h.jsonl"));
      const batch = { at: 1, revision: 3n, progress: false, stream: 1, events: [] };
      sink.write({ type: "batch", watch: 7, batch });
      sink.write({ type: "watch", id: 7, client: 0, request: { key: "a", prefix: true }, invoke: 0, batches: [], end: { at: 2, how: "canceled" } });
      const history = groupHistory(await sink.load());
      expect(history.watches).toHaveLength(1);
      expect(history.watches[0]!.batches).toEqual([batch]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
