import { describe, expect, it } from "vitest";
import { startSnapshotTask, type SnapshotProgress } from "./snapshot-task.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("startSnapshotTask", () => {
  it("is a promise of the result and an iterable that delivers the last progress", async () => {
    const task = startSnapshotTask(async (report) => {
      for (let bytes = 10; bytes <= 30; bytes += 10) {
        report({ bytes, totalBytes: 30 });
        await tick();
      }
      return { bytes: 30, sha256: "abc" };
    }, undefined);
    const seen: SnapshotProgress[] = [];
    for await (const p of task) seen.push(p);
    expect(seen.at(-1)).toEqual({ bytes: 30, totalBytes: 30 });
    expect(seen.map((p) => p.bytes)).toEqual([10, 20, 30]);
    expect(await task).toEqual({ bytes: 30, sha256: "abc" });
    // A second, late iteration sees the final state once and ends.
    const late: SnapshotProgress[] = [];
    for await (const p of task) late.push(p);
    expect(late).toEqual([{ bytes: 30, totalBytes: 30 }]);
  });

  it("coalesces progress for a slow consumer", async () => {
    const task = startSnapshotTask(async (report) => {
      for (let bytes = 1; bytes <= 100; bytes++) report({ bytes, totalBytes: 100 });
      await tick();
      return { bytes: 100, sha256: "" };
    }, undefined);
    const seen: number[] = [];
    for await (const p of task) seen.push(p.bytes);
    expect(seen).toEqual([100]);
  });

  it("calls onProgress for every event; its exception fails the task", async () => {
    const calls: number[] = [];
    const task = startSnapshotTask(
      async (report) => {
        report({ bytes: 1, totalBytes: undefined });
        report({ bytes: 2, totalBytes: undefined });
        return { bytes: 2, sha256: "" };
      },
      (p) => {
        calls.push(p.bytes);
        if (p.bytes === 2) throw new Error("stop");
      },
    );
    await expect(task).rejects.toThrow("stop");
    expect(calls).toEqual([1, 2]);
  });

  it("iteration throws the task's error; an ignored failing task raises no unhandled rejection", async () => {
    const failing = () =>
      startSnapshotTask(async (report) => {
        report({ bytes: 1, totalBytes: 2 });
        await tick();
        throw new Error("broken stream");
      }, undefined);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const p of failing()) seen.push(p.bytes);
      })(),
    ).rejects.toThrow("broken stream");
    expect(seen).toEqual([1]);
    failing(); // neither awaited nor iterated
    await new Promise((resolve) => setTimeout(resolve, 10));
  });
});
