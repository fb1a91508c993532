/**
 * Hand-off latency, worker side: a holder and `waiters` waiters, each in its own process with its
 * own connection and lease, take the lock in turn (each re-queues right after its unlock), so
 * every unlock hands the lock to a waiter. A hand-off is the time from the holder's unlock call
 * to the next holder's lock resolving (clocks: ms since the epoch, high resolution). The baseline
 * is one watch event's latency, across processes too: from a put call in one process to the event
 * arriving at a watcher in another.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTransport, type EtcdTransport } from "@etcdkit/transport";
import { createWatch } from "@etcdkit/watch";
import { summarizeMs } from "./latency.js";
import type { ConcurrencySpec, LatencyResult } from "./spec.js";

const PARTICIPANT = fileURLToPath(new URL("./handoff-participant.ts", import.meta.url));

interface Child {
  readonly ready: Promise<void>;
  readonly times: Promise<[number, number][]>;
  go(): void;
}

/** Starts one participant process; see handoff-participant.ts. */
function startParticipant(spec: ConcurrencySpec, rounds: number): Child {
  const child = spawn(process.execPath, [...process.execArgv, PARTICIPANT, JSON.stringify({ client: spec.client, url: spec.url, name: spec.name, rounds })], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    out += s;
    if (out.includes("ready\n")) markReady();
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => (err = (err + s).slice(-2000)));
  const times = new Promise<[number, number][]>((resolve, reject) => {
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("[["));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line) as [number, number][]);
      else reject(new Error(`hand-off participant failed (exit ${code}): ${err.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
  return { ready: Promise.race([ready, times.then(() => undefined)]), times, go: () => child.stdin.end("go\n") };
}

export async function measureHandoff(spec: ConcurrencySpec): Promise<LatencyResult> {
  const participants = spec.waiters + 1;
  const rounds = Math.ceil((spec.samples + 20) / participants) + 1;
  const children = Array.from({ length: participants }, () => startParticipant(spec, rounds));
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.go();
  const all = (await Promise.all(children.map((c) => c.times))).flat().sort((a, b) => a[0] - b[0]);
  // Hand-offs while every participant still queues: the lock passes from one holder to the next.
  const samples: number[] = [];
  const steady = all.slice(20, participants * (rounds - 1));
  for (let i = 1; i < steady.length && samples.length < spec.samples; i++) samples.push(steady[i]![0] - steady[i - 1]![1]);
  return summarizeMs(samples);
}

const WRITER = fileURLToPath(new URL("./watch-writer.ts", import.meta.url));

/**
 * One watch event's latency, across processes as a hand-off is: a writer process puts a value
 * every 5 ms; this process watches the key; latency = the event's arrival − the put's call.
 */
export async function measureWatchLatency(spec: ConcurrencySpec): Promise<LatencyResult> {
  const reader: EtcdTransport = createTransport({ endpoints: [spec.url] });
  const watch = createWatch(reader).watch(spec.name);
  await watch.ready;
  const received = new Map<number, number>();
  const count = spec.samples + 20;
  const collecting = (async () => {
    for await (const batch of watch) {
      const at = performance.timeOrigin + performance.now();
      for (const event of batch.events) received.set(Number(event.kv.text()), at);
      if (received.size >= count) return;
    }
  })();
  const writer = spawn(process.execPath, [...process.execArgv, WRITER, JSON.stringify({ url: spec.url, key: spec.name, count, gapMs: 5 })], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  writer.stdout.setEncoding("utf8").on("data", (s: string) => {
    out += s;
    if (out.startsWith("ready\n") && !writer.stdin.writableEnded) writer.stdin.end("go\n");
  });
  writer.stderr.setEncoding("utf8").on("data", (s: string) => (err = (err + s).slice(-2000)));
  const sent = await new Promise<number[]>((resolve, reject) =>
    writer.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("["));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line) as number[]);
      else reject(new Error(`watch writer failed (exit ${code}): ${err.trim().split("\n").slice(-3).join(" ")}`));
    }),
  );
  await collecting;
  watch.cancel();
  await reader.close();
  const samples: number[] = [];
  for (let i = 20; i < count; i++) samples.push(received.get(i)! - sent[i]!);
  return summarizeMs(samples);
}
