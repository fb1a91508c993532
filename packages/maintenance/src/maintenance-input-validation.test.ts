import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { create } from "@bufbuild/protobuf";
import { AlarmResponseSchema, AlarmType } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { isEtcdError } from "@etcdkit/transport";
import { createRecordingTransport, type RecordedCall } from "@etcdkit/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMaintenance } from "./create-maintenance.js";

/** A Transport that records every call and answers it with `respond`, or fails it; no I/O. */

const invalid = (err: unknown) => isEtcdError(err, "invalid-argument");
const bad = (value: unknown): never => value as never;
const endpoint = "http://10.0.0.1:2379";

describe("maintenance input validation (no I/O)", () => {
  let transport: ReturnType<typeof createRecordingTransport>;
  /** The members addressed through `forEndpoint`, in order. */
  let connects: string[];
  let dir: string;
  const setup = (respond?: (call: RecordedCall) => unknown) => {
    transport = createRecordingTransport(respond);
    connects = [];
    // A transport that can address one member, as etcdkit's: forEndpoint records the URL.
    const addressing = Object.assign(transport, {
      forEndpoint: (url: string) => {
        connects.push(url);
        return transport;
      },
    });
    return createMaintenance(addressing);
  };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "etcdkit-maintenance-args-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("alarmDisarm rejects alarm kinds that are not names, and member IDs outside 1n … 2^64-1", async () => {
    const maintenance = setup();
    const attempts = [
      { memberId: 1n, alarm: 1 },
      { memberId: 1n, alarm: "2" },
      { memberId: 1n, alarm: 1n },
      { memberId: 0n, alarm: "nospace" },
      { memberId: -1n, alarm: "nospace" },
      { memberId: 1n << 64n, alarm: "nospace" },
      { memberId: 1, alarm: "nospace" },
      null,
    ];
    for (const alarm of attempts) await expect(maintenance.alarmDisarm(bad(alarm))).rejects.toSatisfy(invalid);
    expect(transport.calls).toHaveLength(0);
  });

  it("alarmDisarm still sends a named alarm of a member", async () => {
    const maintenance = setup(() => create(AlarmResponseSchema, {}));
    await maintenance.alarmDisarm({ memberId: (1n << 64n) - 1n, alarm: "corrupt" });
    expect(transport.calls.map((c) => c.input)).toMatchObject([{ memberID: (1n << 64n) - 1n, alarm: AlarmType.CORRUPT }]);
  });

  it("hashKV and moveLeader reject out-of-range bigints before opening a transport to the member", async () => {
    const maintenance = setup();
    await expect(maintenance.hashKV(endpoint, 1n << 63n)).rejects.toSatisfy(invalid);
    await expect(maintenance.moveLeader(endpoint, 1n << 64n)).rejects.toSatisfy(invalid);
    expect(connects).toEqual([]);
    expect(transport.calls).toHaveLength(0);
    // The largest valid values still reach the transport.
    await expect(maintenance.hashKV(endpoint, (1n << 63n) - 1n)).rejects.not.toSatisfy(invalid);
    await expect(maintenance.moveLeader(endpoint, (1n << 64n) - 1n)).rejects.not.toSatisfy(invalid);
    expect(transport.calls.map((c) => c.method)).toEqual(["HashKV", "MoveLeader"]);
  });

  it("snapshot rejects malformed options before opening anything: no transport, no stream, no temp file", async () => {
    const maintenance = setup();
    const file = path.join(dir, "etcd.db");
    const attempts: Array<[string, () => PromiseLike<unknown>]> = [
      ["null options", () => maintenance.snapshot(endpoint, file, bad(null))],
      ["string options", () => maintenance.snapshot(endpoint, file, bad("opts"))],
      ["string onProgress", () => maintenance.snapshot(endpoint, file, bad({ onProgress: "log" }))],
      ["object onProgress", () => maintenance.snapshot(endpoint, new PassThrough(), bad({ onProgress: {} }))],
      ["string verify", () => maintenance.snapshot(endpoint, file, bad({ verify: "no" }))],
      ["string end", () => maintenance.snapshot(endpoint, new PassThrough(), bad({ end: "false" }))],
      ["object signal", () => maintenance.snapshot(endpoint, file, bad({ signal: {} }))],
      ["string signal", () => maintenance.snapshot(endpoint, file, bad({ signal: "abort" }))],
    ];
    const rejected: Record<string, boolean> = {};
    for (const [name, attempt] of attempts) {
      const error = await Promise.resolve().then(attempt).then(
        () => undefined,
        (e: unknown) => e,
      );
      rejected[name] = invalid(error);
    }
    expect(rejected).toEqual(Object.fromEntries(attempts.map(([name]) => [name, true])));
    expect(connects).toEqual([]);
    expect(transport.calls).toHaveLength(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it("snapshot rejects a malformed timeoutMs or maxBytes before opening anything, and fails deadline-exceeded for no time left", async () => {
    const maintenance = setup();
    const file = path.join(dir, "etcd.db");
    const outcomes: Record<string, string | undefined> = {};
    const cases: Array<[string, unknown]> = [
      ["string timeoutMs", { timeoutMs: "1000" }],
      ["NaN timeoutMs", { timeoutMs: Number.NaN }],
      ["object timeoutMs", { timeoutMs: {} }],
      ["zero timeoutMs", { timeoutMs: 0 }],
      ["negative timeoutMs", { timeoutMs: -5 }],
      ["string maxBytes", { maxBytes: "1gb" }],
      ["zero maxBytes", { maxBytes: 0 }],
      ["fractional maxBytes", { maxBytes: 1.5 }],
    ];
    for (const [name, options] of cases) {
      const error = await Promise.resolve()
        .then(() => maintenance.snapshot(endpoint, file, bad(options)))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      outcomes[name] = (error as { reason?: string } | undefined)?.reason;
    }
    expect(outcomes).toEqual({
      "string timeoutMs": "invalid-argument",
      "NaN timeoutMs": "invalid-argument",
      "object timeoutMs": "invalid-argument",
      "zero timeoutMs": "deadline-exceeded",
      "negative timeoutMs": "deadline-exceeded",
      "string maxBytes": "invalid-argument",
      "zero maxBytes": "invalid-argument",
      "fractional maxBytes": "invalid-argument",
    });
    expect(connects).toEqual([]);
    expect(transport.calls).toHaveLength(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it("snapshot with well-formed options still opens the stream", async () => {
    const maintenance = setup();
    const options = { onProgress: () => {}, verify: false, end: false, signal: new AbortController().signal, timeoutMs: 1000 };
    await expect(maintenance.snapshot(endpoint, new PassThrough(), options)).rejects.not.toSatisfy(invalid);
    await expect(maintenance.snapshot(endpoint, path.join(dir, "etcd.db"))).rejects.not.toSatisfy(invalid);
    expect(transport.calls.map((c) => c.method)).toEqual(["Snapshot", "Snapshot"]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("per-member calls on a transport that cannot address one member fail invalid-argument, without any call", async () => {
    const plain = createRecordingTransport();
    const maintenance = createMaintenance(plain);
    const attempts: Array<() => PromiseLike<unknown>> = [
      () => maintenance.status(endpoint),
      () => maintenance.defragment(endpoint),
      () => maintenance.hash(endpoint),
      () => maintenance.hashKV(endpoint),
      () => maintenance.moveLeader(endpoint, 1n),
      () => maintenance.snapshot(endpoint, path.join(dir, "etcd.db")),
    ];
    for (const attempt of attempts) {
      const error = await Promise.resolve().then(attempt).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(invalid(error)).toBe(true);
      expect((error as Error).message).toMatch(/forEndpoint/);
    }
    expect(plain.calls).toHaveLength(0);
    expect(await readdir(dir)).toEqual([]);
    // The cluster-wide calls do not need it.
    await expect(maintenance.alarmList()).rejects.not.toSatisfy(invalid);
  });

  it("per-member calls reject a missing or malformed endpoint before addressing anything", async () => {
    const maintenance = setup();
    for (const e of ["", "   ", 5, undefined]) await expect(maintenance.status(bad(e))).rejects.toSatisfy(invalid);
    expect(connects).toEqual([]);
    expect(transport.calls).toHaveLength(0);
  });

  it("createMaintenance rejects a missing or non-transport argument at creation, not at the first call", () => {
    for (const t of [undefined, null, {}, { unary: () => undefined }, "http://127.0.0.1:2379"]) {
      let error: unknown;
      try {
        createMaintenance(bad(t));
      } catch (err) {
        error = err;
      }
      expect(invalid(error), `${String(t)}`).toBe(true);
    }
  });
});
