/**
 * Hand-off latency, worker side: a holder and `waiters` waiters, each in its own process with its
 * own connection and lease, take the lock in turn (each re-queues right after its unlock), so
 * every unlock hands the lock to a waiter. A hand-off is the time from the holder's unlock call
 * to the next holder's lock resolving (clocks: ms since the epoch, high resolution).
 *
 * The baseline is the latency of the very watch event a hand-off waits for, in the same run: this
 * process watches the lock's keys (deletes only) while the participants run, and times each
 * unlock call → that unlock's delete event arriving here. Same start point, same etcd, same load
 * (17 processes, the old holder queuing again at once) as the hand-off itself. A watch event timed
 * in a separate run on an otherwise idle machine (`measureWatchLatency`) is a different load and
 * is reported only for context.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTransport, type EtcdTransport } from "@etcdkit/transport";
import { createWatch } from "@etcdkit/watch";
import { summarizeMs } from "./latency.js";
import type { ConcurrencySpec, HandoffResult, LatencyResult } from "./spec.js";

const PARTICIPANT = fileURLToPath(new URL("./handoff-participant.ts", import.meta.url));

/** One round of a participant: when its lock resolved, when it called unlock, its lock key. */
type Round = [acquired: number, released: number, key: string];

interface Child {
  readonly ready: Promise<void>;
  readonly times: Promise<Round[]>;
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
  const times = new Promise<Round[]>((resolve, reject) => {
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("[["));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line) as Round[]);
      else reject(new Error(`hand-off participant failed (exit ${code}): ${err.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
  return { ready: Promise.race([ready, times.then(() => undefined)]), times, go: () => child.stdin.end("go\n") };
}

export async function measureHandoff(spec: ConcurrencySpec): Promise<HandoffResult> {
  const participants = spec.waiters + 1;
  const rounds = Math.ceil((spec.samples + 20) / participants) + 1;
  const children = Array.from({ length: participants }, () => startParticipant(spec, rounds));
  // The passive watcher of the baseline: every delete under the lock's prefix, arrival times by key.
  const observer: EtcdTransport = createTransport({ endpoints: [spec.url] });
  const deletes = createWatch(observer).watch(`${spec.name}/`, { prefix: true, noPut: true });
  await deletes.ready;
  const arrivals = new Map<string, number[]>();
  const observing = (async () => {
    for await (const batch of deletes) {
      const at = performance.timeOrigin + performance.now();
      for (const event of batch.events) {
        const key = event.kv.keyText();
        arrivals.set(key, [...(arrivals.get(key) ?? []), at]);
      }
    }
  })();
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.go();
  const all = (await Promise.all(children.map((c) => c.times))).flat().sort((a, b) => a[0] - b[0]);
  deletes.cancel();
  await observing;
  await observer.close();
  // Hand-offs while every participant still queues: the lock passes from one holder to the next.
  const samples: number[] = [];
  const events: number[] = [];
  const afterEvent: number[] = [];
  const steady = all.slice(20, participants * (rounds - 1));
  for (let i = 1; i < steady.length && samples.length < spec.samples; i++) {
    const [, released, key] = steady[i - 1]!;
    samples.push(steady[i]![0] - released);
    // That unlock's delete event: the first delete of its key to arrive after the unlock call
    // (the key's next delete is a whole queue later).
    const arrived = arrivals.get(key)?.find((t) => t >= released);
    if (arrived !== undefined) {
      events.push(arrived - released);
      afterEvent.push(steady[i]![0] - arrived);
    }
  }
  return { ...summarizeMs(samples), event: summarizeMs(events), afterEvent: summarizeMs(afterEvent) };
}

const WRITER = fileURLToPath(new URL("./watch-writer.ts", import.meta.url));

/**
 * One watch event's latency in a run of its own (context for the hand-off's in-run baseline):
 * a writer process puts a value every 5 ms; this process watches the key; latency = the event's
 * arrival − the put's call. Only two processes run, so the machine is far less loaded than
 * during a hand-off run.
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
