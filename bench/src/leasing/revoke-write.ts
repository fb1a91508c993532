/**
 * The cost of a write that must revoke an owner: another process owns `writes` keys; this process
 * writes each of them through a leasing KV (a REVOKE, the owner's watch event and delete, this
 * writer's watch event, the write again), interleaved with a plain put and a leasing put of a
 * key nobody owns (one guarded txn). Latency per write.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createKV } from "@etcdkit/kv";
import { createLeasingKV } from "@etcdkit/leasing";
import { createTransport } from "@etcdkit/transport";
import { LatencyRecorder } from "../stats.js";
import type { LeasingSpec, SideResult, WriteResult } from "./spec.js";

const OWNER = fileURLToPath(new URL("./owner.ts", import.meta.url));

function startOwner(url: string, prefix: string, keys: readonly string[]): { ready: Promise<void>; stop: () => Promise<string> } {
  const child = spawn(process.execPath, [...process.execArgv, OWNER, JSON.stringify({ url, prefix, keys })], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (err = (err + s).slice(-2000)));
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  const ready = new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (out.includes("ready\n")) {
        clearInterval(check);
        resolve();
      }
    }, 10);
    void closed.then((code) => {
      clearInterval(check);
      reject(new Error(`owner exited (${code}) before it was ready: ${err.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
  return {
    ready,
    stop: async () => {
      child.stdin.end();
      await closed;
      return out.trim().split("\n").at(-1) ?? "";
    },
  };
}

function summary(latency: LatencyRecorder): SideResult {
  const [p50, p99] = latency.percentiles([50, 99]);
  return { ops: latency.size, opsPerSec: Number.NaN, p50Us: p50!, p99Us: p99!, cpuUsPerOp: undefined };
}

export async function measureWrites(spec: LeasingSpec): Promise<WriteResult> {
  const prefix = `${spec.name}/own/`;
  const owned = Array.from({ length: spec.writes }, (_, i) => `${spec.name}/owned/${i}`);
  const owner = startOwner(spec.url, prefix, owned);
  const transport = createTransport({ endpoints: [spec.url] });
  const kv = createKV(transport);
  const lkv = await createLeasingKV(transport, prefix, { ttl: 60 });
  const value = "x".repeat(256);
  const warmEnd = performance.now() + spec.warmupMs;
  for (let i = 0; performance.now() < warmEnd; i++) {
    await kv.put(`${spec.name}/warm/${i % 64}`, value);
    await lkv.put(`${spec.name}/warm/${i % 64}`, value);
  }
  await owner.ready;
  const plain = new LatencyRecorder();
  const unowned = new LatencyRecorder();
  const revoke = new LatencyRecorder();
  const time = async (recorder: LatencyRecorder, write: () => Promise<unknown>): Promise<void> => {
    const t = performance.now();
    await write();
    recorder.add((performance.now() - t) * 1000);
  };
  for (let i = 0; i < spec.writes; i++) {
    await time(plain, () => kv.put(`${spec.name}/plain/${i}`, value));
    await time(unowned, () => lkv.put(`${spec.name}/free/${i}`, value));
    await time(revoke, () => lkv.put(owned[i]!, value, { timeoutMs: 30_000 }));
  }
  const revokes = lkv.stats.revokes;
  await lkv.close();
  await transport.close();
  const released = await owner.stop();
  if (released !== `released ${spec.writes}`) throw new Error(`the owner reported "${released}", expected "released ${spec.writes}"`);
  return { plain: summary(plain), unowned: summary(unowned), revoke: summary(revoke), revokes };
}
