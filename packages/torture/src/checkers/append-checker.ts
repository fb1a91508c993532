import type { History } from "../history/history.js";
import type { AppendOperation } from "../history/types.js";
import { cycleThrough, DependencyGraph, stronglyConnected, type CycleEdge, type EdgeKind } from "./dependency-graph.js";
import { checkResult, createViolationList, type CheckResult, type Violation } from "./violation.js";

/**
 * Parses a list value ("3,7,12"; absent or empty: no elements).
 *
 * @example
 * ```ts
 * parseList("3,7"); // [3, 7]
 * ```
 */
export function parseList(value: string | null | undefined): number[] {
  if (value === null || value === undefined || value === "") return [];
  return value.split(",").map(Number);
}

/** Cycle searches in order: the first edge sets that find a cycle name the anomaly. */
const SEARCHES: readonly { kinds: ReadonlySet<EdgeKind> }[] = [
  { kinds: new Set<EdgeKind>(["ww"]) },
  { kinds: new Set<EdgeKind>(["ww", "wr"]) },
  { kinds: new Set<EdgeKind>(["ww", "wr", "rw"]) },
  { kinds: new Set<EdgeKind>(["ww", "wr", "rt"]) },
  { kinds: new Set<EdgeKind>(["ww", "wr", "rw", "rt"]) },
];

/**
 * Checks list-append transactions the way Elle does (Kingsbury & Alvaro), for strict
 * serializability: every read of a key is a prefix of its longest read ("incompatible-order"),
 * no element appears twice ("duplicate-append": an append applied more than once), no read sees
 * an element of a transaction that failed ("aborted-read"), every acknowledged append is in the
 * final read ("lost-append"), and the dependency graph (ww, wr, rw from the inferred version
 * orders, plus real time) has no cycle: G0, G1c, G-single, G2, each with "-realtime" when only
 * real-time edges close the cycle.
 *
 * @example
 * ```ts
 * const result = checkAppends(history);
 * ```
 */
export function checkAppends(history: History): CheckResult {
  const txns = history.append;
  if (txns.length === 0) return checkResult("append", [], ["no append transactions"]);
  const violations = createViolationList();
  const appender = new Map<number, AppendOperation>();
  for (const t of txns) for (const m of t.mops) if (m.f === "append") appender.set(m.value, t);

  // Reads per key, from ok transactions and the final read.
  const reads = new Map<string, { list: number[]; txn: AppendOperation | undefined }[]>();
  const addRead = (key: string, list: number[], txn: AppendOperation | undefined): void => {
    let r = reads.get(key);
    if (r === undefined) reads.set(key, (r = []));
    r.push({ list, txn });
  };
  for (const t of txns) if (t.status === "ok") for (const m of t.mops) if (m.f === "r") addRead(m.key, [...(m.value ?? [])], t);
  const finalLists = new Map<string, number[]>();
  for (const kv of history.final?.kvs ?? []) {
    if (!reads.has(kv.key) && !txns.some((t) => t.mops.some((m) => m.key === kv.key))) continue;
    const list = parseList(kv.value);
    finalLists.set(kv.key, list);
    addRead(kv.key, list, undefined);
  }

  const order = new Map<string, number[]>();
  const abortedReported = new Set<number>();
  for (const [key, list] of reads) {
    let longest: number[] = [];
    for (const r of list) if (r.list.length > longest.length) longest = r.list;
    order.set(key, longest);
    for (const r of list) {
      if (!isPrefix(r.list, longest)) {
        violations.add(
          {
            kind: "incompatible-order",
            message: `key ${key}: read [${r.list.join(",")}] is not a prefix of [${longest.join(",")}]`,
            records: r.txn ? [r.txn.id] : [],
          },
          5,
        );
      }
      const dup = firstDuplicate(r.list);
      if (dup !== undefined) {
        violations.add({ kind: "duplicate-append", message: `key ${key}: element ${dup} appears twice in [${r.list.join(",")}]`, records: r.txn ? [r.txn.id] : [] }, 5);
      }
      for (const e of r.list) {
        const writer = appender.get(e);
        if ((writer === undefined || writer.status === "fail") && !abortedReported.has(e)) {
          abortedReported.add(e);
          violations.add({
            kind: "aborted-read",
            message: `key ${key}: element ${e} was read but ${
              writer === undefined ? "no transaction appended it" : `its transaction ${writer.id} failed with "${writer.error?.reason ?? "guard false"}" (not applied, says the client)`
            }`,
            records: [...(writer ? [writer.id] : []), ...(r.txn ? [r.txn.id] : [])],
          });
          break;
        }
      }
    }
  }
  if (history.final !== undefined) {
    for (const t of txns) {
      if (t.status !== "ok") continue;
      for (const m of t.mops) {
        if (m.f !== "append") continue;
        if (!(finalLists.get(m.key) ?? []).includes(m.value)) {
          violations.add({ kind: "lost-append", message: `key ${m.key}: acknowledged append of ${m.value} is not in the final read`, records: [t.id] });
        }
      }
    }
  }
  for (const v of findCycles(txns, reads, order, appender)) violations.add(v);
  const notes = [`${txns.length} transactions, ${order.size} keys`];
  return checkResult("append", violations.items, notes);
}

function findCycles(
  txns: readonly AppendOperation[],
  reads: Map<string, { list: number[]; txn: AppendOperation | undefined }[]>,
  order: Map<string, number[]>,
  appender: Map<number, AppendOperation>,
): Violation[] {
  const observed = new Set<number>();
  for (const list of order.values()) for (const e of list) observed.add(e);
  // Committed transactions: ok ones, and any other whose appends were observed (an unknown
  // outcome that turned out applied; a failure that was not one is reported as aborted-read).
  const nodes = txns.filter((t) => t.status === "ok" || t.mops.some((m) => m.f === "append" && observed.has(m.value)));
  const nodeOf = new Map<AppendOperation, number>(nodes.map((t, i) => [t, i]));
  // Time nodes: every invoke and return, in time order, chained; a txn points at its return,
  // its invoke points at it, so a path T1 -> T2 through time exists iff T1 returned before T2 began.
  const times = nodes.flatMap((t, i) => [
    { time: t.invoke, call: true, txn: i },
    ...(Number.isFinite(t.return) ? [{ time: t.return, call: false, txn: i }] : []),
  ]);
  times.sort((a, b) => (a.time !== b.time ? a.time - b.time : a.call === b.call ? 0 : a.call ? -1 : 1));
  const graph = new DependencyGraph(nodes.length + times.length);
  times.forEach((t, k) => {
    const timeNode = nodes.length + k;
    if (k + 1 < times.length) graph.add(timeNode, timeNode + 1, "rt");
    if (t.call) graph.add(timeNode, t.txn, "rt");
    else graph.add(t.txn, timeNode, "rt");
  });
  const node = (t: AppendOperation | undefined): number | undefined => (t === undefined ? undefined : nodeOf.get(t));
  for (const list of order.values()) {
    for (let i = 0; i + 1 < list.length; i++) {
      const a = node(appender.get(list[i]!));
      const b = node(appender.get(list[i + 1]!));
      if (a !== undefined && b !== undefined) graph.add(a, b, "ww");
    }
  }
  for (const [key, list] of reads) {
    const versions = order.get(key) ?? [];
    for (const r of list) {
      const reader = node(r.txn);
      if (reader === undefined) continue;
      const last = r.list[r.list.length - 1];
      const writer = last === undefined ? undefined : node(appender.get(last));
      if (writer !== undefined) graph.add(writer, reader, "wr");
      const next = versions[r.list.length];
      const overwriter = next === undefined ? undefined : node(appender.get(next));
      if (overwriter !== undefined) graph.add(reader, overwriter, "rw");
    }
  }
  const violations: Violation[] = [];
  const reported = new Set<number>();
  for (const search of SEARCHES) {
    for (const component of stronglyConnected(graph, search.kinds)) {
      const start = component.find((n) => n < nodes.length && !reported.has(n));
      if (start === undefined) continue;
      const cycle = cycleThrough(graph, component, start, search.kinds);
      if (cycle === undefined) continue;
      for (const n of component) reported.add(n);
      const steps = collapseTime(cycle, nodes.length);
      violations.push({
        kind: anomalyOf(steps),
        message: `cycle: ${steps.map((e) => `T${nodes[e.from]!.id} -${e.kind}-> `).join("")}T${nodes[steps[0]!.from]!.id}`,
        records: steps.map((e) => nodes[e.from]!.id),
      });
      if (violations.length >= 10) return violations;
    }
  }
  return violations;
}

/** Replaces each path through time nodes by one rt edge between transactions. */
function collapseTime(cycle: readonly CycleEdge[], txnCount: number): CycleEdge[] {
  const out: CycleEdge[] = [];
  let from: number | undefined;
  for (const e of cycle) {
    if (e.from < txnCount) from = e.from;
    if (e.to < txnCount && from !== undefined) {
      out.push({ from, to: e.to, kind: e.from < txnCount ? e.kind : "rt" });
    }
  }
  // A cycle that starts inside a time chain: its first transaction edge closes it.
  return out;
}

function anomalyOf(cycle: readonly CycleEdge[]): string {
  const rw = cycle.filter((e) => e.kind === "rw").length;
  const realtime = cycle.some((e) => e.kind === "rt");
  const base = rw === 0 ? (cycle.every((e) => e.kind === "ww" || e.kind === "rt") ? "G0" : "G1c") : rw === 1 ? "G-single" : "G2";
  return realtime ? `${base}-realtime` : base;
}

function isPrefix(a: readonly number[], b: readonly number[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function firstDuplicate(list: readonly number[]): number | undefined {
  const seen = new Set<number>();
  for (const e of list) {
    if (seen.has(e)) return e;
    seen.add(e);
  }
  return undefined;
}
