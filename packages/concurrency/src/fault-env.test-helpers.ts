/**
 * Tools of the fault tests: fault clients in child processes (to pause and kill them), the raft
 * leader of a test cluster, and the history of a lock or election queue read back from etcd (who
 * held it at every revision), against which every accepted guarded write is checked.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createKV } from "@etcdkit/kv";
import type { EtcdCluster } from "@etcdkit/testing";
import { createTransport, type Revision } from "@etcdkit/transport";
import { createWatch } from "@etcdkit/watch";
import type { FaultEvent } from "./fault-clients.test-helpers.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const childScript = fileURLToPath(new URL("./fault-child.test-helpers.ts", import.meta.url));

export interface FaultChild {
  readonly process: ChildProcess;
  readonly events: FaultEvent[];
  /** Resolves with the first event of `type` (from now on or already seen). */
  next(type: FaultEvent["type"], timeoutMs?: number): Promise<FaultEvent>;
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

const children: FaultChild[] = [];

/** Starts a fault client in a child process; its stdout events are collected. */
export function spawnFaultChild(config: object): FaultChild {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@etcdkit/source", childScript, JSON.stringify(config)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: FaultEvent[] = [];
  const waiters: { type: string; resolve: (e: FaultEvent) => void }[] = [];
  let pending = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      const event = JSON.parse(line) as FaultEvent;
      events.push(event);
      for (const w of waiters.filter((w) => w.type === event.type)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const handle: FaultChild = {
    process: child,
    events,
    exited,
    next(type, timeoutMs = 30_000) {
      // An event that arrived before the caller asked (e.g. "done" while the test awaited other
      // clients) is not waited for again.
      const seen = events.find((e) => e.type === type);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child: no "${type}" event within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push({
          type,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  children.push(handle);
  return handle;
}

/** Kills every child still running (SIGCONT first, in case it is stopped). */
export async function killChildren(): Promise<void> {
  for (const c of children.splice(0)) {
    c.kill("SIGCONT");
    c.kill("SIGKILL");
    await c.exited;
  }
}

/** The index of the member that is the raft leader. */
export async function raftLeaderIndex(cluster: EtcdCluster): Promise<number> {
  const statuses = await Promise.all(
    cluster.clientUrls.map(async (url) => {
      const transport = createTransport({ endpoints: [url] });
      try {
        const status = await createClient(Maintenance, transport).status({}, { timeoutMs: 5_000 });
        return { id: status.header!.memberId, leader: status.leader };
      } finally {
        await transport.close();
      }
    }),
  );
  return statuses.findIndex((s) => s.id === statuses[0]!.leader);
}

/**
 * Who held the queue under `prefix` (the key with the lowest create revision) at every revision
 * from `from` to a fresh revision written at the end: returns `holderAt(revision)`, the holder's
 * create revision (undefined when the queue was empty).
 */
export async function queueHistory(endpoints: readonly string[], prefix: string, from: Revision): Promise<(revision: Revision) => Revision | undefined> {
  const transport = createTransport({ endpoints: [...endpoints] });
  try {
    const kv = createKV(transport);
    const keys = new Map<string, Revision>();
    for (const item of (await kv.getPrefix(prefix, { revision: from - 1n })).kvs) keys.set(item.keyText(), item.createRevision);
    const oldest = (): Revision | undefined => [...keys.values()].reduce<Revision | undefined>((min, r) => (min === undefined || r < min ? r : min), undefined);
    const transitions: [Revision, Revision | undefined][] = [[from - 1n, oldest()]];
    const end = (await kv.put(`${prefix}~history-end`, "")).revision; // an event on the prefix to stop at
    await kv.delete(`${prefix}~history-end`);
    const watch = createWatch(transport).watch(prefix, { prefix: true, startRevision: from });
    outer: for await (const batch of watch) {
      for (const event of batch.events) {
        const revision = event.kv.modRevision;
        if (revision >= end) break outer;
        if (event.type === "put") keys.set(event.kv.keyText(), event.kv.createRevision);
        else keys.delete(event.kv.keyText());
        const last = transitions[transitions.length - 1]!;
        if (last[0] === revision) last[1] = oldest();
        else transitions.push([revision, oldest()]);
      }
    }
    watch.cancel();
    return (revision) => {
      let holder: Revision | undefined;
      for (const [at, h] of transitions) {
        if (at > revision) break;
        holder = h;
      }
      return holder;
    };
  } finally {
    await transport.close();
  }
}

/**
 * Every value the key `resource` was given from revision `from` on, with the revision of the put:
 * what etcd applied, including writes whose answer the client never got.
 */
export async function resourceHistory(endpoints: readonly string[], resource: string, from: Revision): Promise<{ revision: Revision; value: string }[]> {
  const transport = createTransport({ endpoints: [...endpoints] });
  try {
    const end = (await createKV(transport).put(resource, "~history-end")).revision;
    const puts: { revision: Revision; value: string }[] = [];
    const watch = createWatch(transport).watch(resource, { startRevision: from, noDelete: true });
    outer: for await (const batch of watch) {
      for (const event of batch.events) {
        if (event.kv.modRevision >= end) break outer;
        puts.push({ revision: event.kv.modRevision, value: event.kv.text() });
      }
    }
    watch.cancel();
    return puts;
  } finally {
    await transport.close();
  }
}
