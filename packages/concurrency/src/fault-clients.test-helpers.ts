/**
 * The clients of the fault tests, usable in the test process and in a child process (see
 * fault-child.test-helpers.ts): a lock client that acquires a mutex N times and writes a resource
 * key under `held.isOwner()` in every critical section, and an election candidate that campaigns
 * and, while leading, writes a resource key under `election.isLeader()`. Everything they do is
 * reported as events; errors are reported by reason.
 */
import { createKV, op } from "@etcdkit/kv";
import { createTransport, isEtcdError, type EtcdTransport } from "@etcdkit/transport";
import { createElection, createMutex, createSession, type Session } from "./index.js";

export interface LockClientConfig {
  readonly endpoints: readonly string[];
  readonly name: string;
  readonly resource: string;
  readonly id: string;
  readonly ttl: number;
  readonly acquisitions: number;
  /** On this acquisition, report "holding" and stay in the critical section for `holdMs` before writing. */
  readonly pauseAt?: number;
  readonly holdMs?: number;
}

export type FaultEvent =
  | { readonly type: "ready"; readonly id: string }
  | { readonly type: "holding"; readonly id: string; readonly token: string }
  | { readonly type: "acquired"; readonly id: string; readonly i: number; readonly token: string; readonly accepted: boolean | undefined; readonly revision: string | undefined; readonly writeError?: string; readonly paused: boolean }
  | { readonly type: "failed"; readonly id: string; readonly i: number; readonly reason: string }
  | { readonly type: "elected"; readonly id: string; readonly token: string }
  | { readonly type: "write"; readonly id: string; readonly token: string; readonly accepted: boolean; readonly revision: string }
  | { readonly type: "done"; readonly id: string };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const reasonOf = (err: unknown): string => (isEtcdError(err) ? err.reason : `untyped: ${err instanceof Error ? err.message : String(err)}`);

/** A session, retried until one is granted (a member may be down). */
async function openSession(transport: EtcdTransport, ttl: number): Promise<Session> {
  for (;;) {
    try {
      return await createSession(transport, { ttl, timeoutMs: 5_000 });
    } catch {
      await sleep(200);
    }
  }
}

export async function runLockClient(config: LockClientConfig, emit: (event: FaultEvent) => void): Promise<void> {
  const transport = createTransport({ endpoints: [...config.endpoints], dialTimeoutMs: 2_000 });
  const kv = createKV(transport);
  const { id } = config;
  let session = await openSession(transport, config.ttl);
  emit({ type: "ready", id });
  for (let i = 0; i < config.acquisitions; i++) {
    if (session.signal.aborted) session = await openSession(transport, config.ttl);
    let held;
    try {
      held = await createMutex(session, config.name).lock({ timeoutMs: 30_000 });
    } catch (err) {
      emit({ type: "failed", id, i, reason: reasonOf(err) });
      continue;
    }
    const token = held.revision.toString();
    const paused = i === config.pauseAt;
    if (paused) {
      emit({ type: "holding", id, token });
      await sleep(config.holdMs ?? 300);
    }
    // The guarded write, sent again after an error until etcd answers (the guard makes a second
    // send harmless: it applies only while this acquisition holds the lock).
    let writeError: string | undefined;
    let answered = false;
    for (let attempt = 0; attempt < 5 && !answered; attempt++) {
      try {
        const result = await kv.txn().if(held.isOwner()).then(op.put(config.resource, `${id}:${i}:${token}`)).commit({ timeoutMs: 5_000 });
        emit({ type: "acquired", id, i, token, accepted: result.succeeded, revision: result.revision.toString(), paused });
        answered = true;
      } catch (err) {
        writeError = reasonOf(err);
        await sleep(300);
      }
    }
    if (!answered) emit({ type: "acquired", id, i, token, accepted: undefined, revision: undefined, writeError, paused });
    await sleep(Math.random() * 10);
    await held.unlock({ timeoutMs: 10_000 }).catch(() => undefined);
  }
  emit({ type: "done", id });
  await session.close().catch(() => undefined);
  await transport.close();
}

export interface CandidateConfig {
  readonly endpoints: readonly string[];
  readonly name: string;
  readonly resource: string;
  readonly id: string;
  readonly ttl: number;
}

/** Campaigns forever; while leading writes `<id>:<token>` under `isLeader()` every 50 ms until a write is refused. */
export async function runCandidate(config: CandidateConfig, emit: (event: FaultEvent) => void): Promise<never> {
  const transport = createTransport({ endpoints: [...config.endpoints], dialTimeoutMs: 2_000 });
  const kv = createKV(transport);
  const { id } = config;
  let session = await openSession(transport, config.ttl);
  emit({ type: "ready", id });
  for (;;) {
    if (session.signal.aborted) session = await openSession(transport, config.ttl);
    const election = createElection(session, config.name);
    let token: string;
    try {
      token = (await election.campaign(id, { timeoutMs: 60_000 })).revision.toString();
    } catch {
      await sleep(100);
      continue;
    }
    emit({ type: "elected", id, token });
    for (;;) {
      try {
        const result = await kv.txn().if(election.isLeader()).then(op.put(config.resource, `${id}:${token}`)).commit({ timeoutMs: 5_000 });
        emit({ type: "write", id, token, accepted: result.succeeded, revision: result.revision.toString() });
        if (!result.succeeded) break;
      } catch {
        // unknown outcome or no connection: try again (the guard decides)
      }
      await sleep(50);
    }
    await election.resign({ timeoutMs: 5_000 }).catch(() => undefined);
  }
}
