/**
 * Hand-off latency, worker side: a holder and `waiters` waiters, each in its own process with its
 * own connection and lease, take the lock in turn (each re-queues right after its unlock), so
 * every unlock hands the lock to a waiter. A hand-off is the time from the holder's unlock call
 * to the next holder's lock resolving (clocks: ms since the epoch, high resolution). The baseline is one watch event's latency: from a put call to the event
 * arriving at a watcher on another connection.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createKV } from "@etcdkit/kv";
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

export async function measureWatchLatency(spec: ConcurrencySpec): Promise<LatencyResult> {
  const writer: EtcdTransport = createTransport({ endpoints: [spec.url] });
  const reader: EtcdTransport = createTransport({ endpoints: [spec.url] });
  const kv = createKV(writer);
  const watch = createWatch(reader).watch(spec.name);
  await watch.ready;
  const iterator = watch[Symbol.asyncIterator]();
  const samples: number[] = [];
  for (let i = 0; i < spec.samples + 20; i++) {
    const t = performance.now();
    const [, next] = await Promise.all([kv.put(spec.name, String(i)), iterator.next()]);
    if (next.done === true) throw new Error("the watch ended");
    if (i >= 20) samples.push(performance.now() - t);
  }
  watch.cancel();
  await writer.close();
  await reader.close();
  return summarizeMs(samples);
}
