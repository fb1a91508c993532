import { seededRandom } from "@etcdkit/testing";
import type { History } from "../history/history.js";
import { makeHistory } from "../history/history.js";
import type { KvInput, KvOperation, KvOutput, OpStatus } from "../history/types.js";
import { SimStore } from "./sim-store.test-helpers.js";

/**
 * How the simulated clients behave. Correct clients record what the store did; the broken ones
 * do what a buggy SDK would.
 */
export interface RegisterSimOptions {
  readonly seed: number;
  readonly clients?: number;
  readonly opsPerClient?: number;
  readonly keys?: number;
  /** Share of writes that fail with an unknown outcome (applied or not, at random). */
  readonly unknownRate?: number;
  /** Share of writes refused before reaching the store. */
  readonly failRate?: number;
  /** Share of reads that are serializable (each client pinned to its own member; never stale here). */
  readonly serializableRate?: number;
  /** Broken: after a connection reset, resend the write (it is applied twice). Share of puts. */
  readonly resendAfterReset?: number;
  /** Broken: linearizable reads served by a member this many revisions behind, without saying so. */
  readonly staleReadLag?: number;
  /** Broken: writes whose outcome is unknown are reported as plain failures (not applied). */
  readonly unknownReportedAsFailed?: boolean;
}

interface Planned {
  readonly id: number;
  readonly client: number;
  readonly input: KvInput;
  readonly invoke: number;
  readonly returnAt: number;
  /** When it takes effect (undefined: never). */
  readonly at: number | undefined;
  /** A second application (broken resend). */
  readonly again: number | undefined;
  readonly fate: "ok" | "fail" | "unknown";
}

/**
 * Simulates clients doing gets, puts, CAS and deletes on a few keys against an in-memory store,
 * each operation taking effect at a random point between its invocation and its return, and
 * returns the recorded history (with the collector log and the final read).
 */
export function simulateRegister(options: RegisterSimOptions): { history: History; store: SimStore } {
  const random = seededRandom(options.seed);
  const clients = options.clients ?? 4;
  const perClient = options.opsPerClient ?? 40;
  const keyCount = options.keys ?? 2;
  const store = new SimStore();
  const planned: Planned[] = [];
  let id = 1;
  let values = 0;
  for (let c = 0; c < clients; c++) {
    let t = random() * 5;
    const seenValues: (string | null)[] = [null];
    for (let i = 0; i < perClient; i++) {
      const key = `r/${Math.floor(random() * keyCount)}`;
      const roll = random();
      const value = `c${c}-${++values}`;
      const input: KvInput =
        roll < 0.4
          ? { f: "get", key, ...(random() < (options.serializableRate ?? 0) ? { serializable: true } : {}) }
          : roll < 0.7
            ? { f: "put", key, value }
            : roll < 0.9
              ? { f: "cas", key, expect: seenValues[Math.floor(random() * seenValues.length)]!, value }
              : { f: "delete", key };
      if (input.f === "put" || input.f === "cas") seenValues.push(value);
      const duration = 1 + random() * 9;
      const invoke = t;
      const returnAt = t + duration;
      const write = input.f !== "get";
      const r = random();
      const fate: Planned["fate"] = !write ? "ok" : r < (options.failRate ?? 0) ? "fail" : r < (options.failRate ?? 0) + (options.unknownRate ?? 0) ? "unknown" : "ok";
      const resend = input.f === "put" && fate === "ok" && random() < (options.resendAfterReset ?? 0);
      let at: number | undefined = invoke + random() * duration;
      let again: number | undefined;
      if (fate === "fail") at = undefined;
      if (fate === "unknown") at = random() < 0.5 ? invoke + random() * duration * 3 : undefined;
      if (resend) {
        at = invoke + random() * duration * 0.5;
        again = invoke + duration * (0.5 + random() * 0.5);
      }
      planned.push({ id: id++, client: c, input, invoke, returnAt, at, again, fate });
      t = returnAt + random() * 3;
    }
  }

  // Apply in effect order; results land on the planned ops.
  const effects: { at: number; op: Planned; first: boolean }[] = [];
  for (const op of planned) {
    if (op.at !== undefined) effects.push({ at: op.at, op, first: true });
    if (op.again !== undefined) effects.push({ at: op.again, op, first: false });
  }
  effects.sort((a, b) => a.at - b.at);
  const outputs = new Map<number, KvOutput>();
  const lastWriteRevision = new Map<string, bigint>();
  for (const { op, first } of effects) {
    const input = op.input;
    const key = input.key;
    let output: KvOutput;
    switch (input.f) {
      case "get": {
        let readAt = store.revision;
        if (options.staleReadLag !== undefined && input.serializable !== true) readAt = readAt - BigInt(options.staleReadLag) > 1n ? readAt - BigInt(options.staleReadLag) : 1n;
        const s = store.stateAt(key, readAt);
        output = { f: "get", value: s?.value ?? null, modRevision: s?.modRevision ?? 0n, revision: readAt };
        break;
      }
      case "put":
        output = { f: "put", revision: store.put(key, input.value) };
        if (!first) lastWriteRevision.set(key, output.revision);
        break;
      case "delete": {
        const rev = store.delete(key);
        output = { f: "delete", revision: rev ?? store.revision, deleted: rev === undefined ? 0 : 1 };
        break;
      }
      case "cas": {
        const current = store.keys.get(key)?.value ?? null;
        if (current === input.expect) output = { f: "cas", succeeded: true, revision: store.put(key, input.value) };
        else {
          const s = store.keys.get(key);
          output = { f: "cas", succeeded: false, revision: store.revision, value: s?.value ?? null, modRevision: s?.modRevision ?? 0n };
        }
        break;
      }
    }
    outputs.set(op.id, output);
  }

  const kv: KvOperation[] = planned.map((op) => {
    const base = { type: "kv" as const, id: op.id, client: op.client, workload: (op.input.f === "get" && op.input.serializable ? "serializable" : "register") as KvOperation["workload"], input: op.input, invoke: op.invoke };
    if (op.fate === "ok") return { ...base, return: op.returnAt, status: "ok" as OpStatus, output: outputs.get(op.id)! };
    if (op.fate === "fail") return { ...base, return: op.returnAt, status: "fail" as OpStatus, error: { reason: "unavailable", message: "refused", outcomeUnknown: false } };
    if (options.unknownReportedAsFailed) {
      return { ...base, return: op.returnAt, status: "fail" as OpStatus, error: { reason: "unavailable", message: "connection lost", outcomeUnknown: false } };
    }
    return { ...base, return: Infinity, status: "unknown" as OpStatus, error: { reason: "outcome-unknown", message: "connection lost", outcomeUnknown: true } };
  });
  const end = Math.max(...planned.map((p) => Math.max(p.returnAt, p.at ?? 0, p.again ?? 0))) + 1;
  return { history: makeHistory({ kv, watches: [store.collector()], final: store.finalRead(end) }), store };
}
