import { seededRandom } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { makeHistory } from "../history/history.js";
import type { AppendMop, AppendOperation, FinalRead } from "../history/types.js";
import { checkAppends } from "./append-checker.js";

let ids = 1;
const txn = (invoke: number, ret: number, mops: AppendMop[], status: AppendOperation["status"] = "ok"): AppendOperation => ({
  type: "append",
  id: ids++,
  client: 0,
  invoke,
  return: status === "unknown" ? Infinity : ret,
  status,
  mops,
});
const r = (key: string, value: number[]): AppendMop => ({ f: "r", key, value });
const a = (key: string, value: number): AppendMop => ({ f: "append", key, value });
const final = (lists: Record<string, number[]>): FinalRead => ({
  type: "final",
  at: 1e9,
  revision: 100n,
  kvs: Object.entries(lists).map(([key, list]) => ({ key, value: list.join(","), modRevision: 1n, createRevision: 1n, version: 1 })),
});
const kinds = (append: AppendOperation[], lists: Record<string, number[]>) => checkAppends(makeHistory({ append, final: final(lists) })).violations.map((v) => v.kind);

/** Serial, correct transactions over a few keys (each reads what it appends to, then appends). */
function serialTxns(seed: number, count: number): { txns: AppendOperation[]; lists: Record<string, number[]> } {
  const random = seededRandom(seed);
  const lists: Record<string, number[]> = { x: [], y: [], z: [] };
  const txns: AppendOperation[] = [];
  let element = 0;
  for (let i = 0; i < count; i++) {
    const mops: AppendMop[] = [];
    for (const key of Object.keys(lists)) {
      const roll = random();
      if (roll < 0.4) mops.push(r(key, [...lists[key]!]));
      else if (roll < 0.8) {
        mops.push(r(key, [...lists[key]!]));
        mops.push(a(key, ++element));
        lists[key]!.push(element);
      }
    }
    txns.push(txn(i * 10, i * 10 + 5 + random() * 8, mops));
  }
  return { txns, lists };
}

describe("append checker (Elle-style list-append)", () => {
  it("accepts serial histories, also overlapping in time", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { txns, lists } = serialTxns(seed, 40);
      expect(kinds(txns, lists)).toEqual([]);
    }
  });

  it("finds a write cycle (G0)", () => {
    const t1 = txn(0, 10, [a("x", 1), a("y", 2)]);
    const t2 = txn(0, 10, [a("x", 3), a("y", 4)]);
    expect(kinds([t1, t2], { x: [1, 3], y: [4, 2] })).toContain("G0");
  });

  it("finds a read cycle (G1c), a read skew (G-single) and a write skew (G2)", () => {
    const t1 = txn(0, 10, [a("x", 1), r("y", [2])]);
    const t2 = txn(0, 10, [a("y", 2), r("x", [1])]);
    expect(kinds([t1, t2], { x: [1], y: [2] })).toContain("G1c");
    // t3 saw t4's append to y but not its append to x: a read skew.
    const t3 = txn(0, 10, [r("x", []), r("y", [5])]);
    const t4 = txn(0, 10, [a("x", 6), a("y", 5)]);
    expect(kinds([t3, t4], { x: [6], y: [5] })).toContain("G-single");
    // Write skew: each read the other's key before the other's append.
    const t5 = txn(0, 10, [r("x", []), a("y", 7)]);
    const t6 = txn(0, 10, [r("y", []), a("x", 8)]);
    expect(kinds([t5, t6], { x: [8], y: [7] })).toContain("G2");
  });

  it("finds a stale read only real time forbids (G-single-realtime)", () => {
    const w = txn(0, 5, [a("x", 1)]);
    const stale = txn(10, 15, [r("x", [])]);
    expect(kinds([w, stale], { x: [1] })).toEqual(["G-single-realtime"]);
  });

  it("finds incompatible orders, duplicates, aborted reads and lost appends", () => {
    expect(kinds([txn(0, 1, [a("x", 1)]), txn(0, 1, [a("x", 2)]), txn(2, 3, [r("x", [2, 1])])], { x: [1, 2] })).toContain("incompatible-order");
    expect(kinds([txn(0, 1, [a("x", 1)])], { x: [1, 1] })).toContain("duplicate-append");
    expect(kinds([txn(0, 1, [a("x", 1)], "fail"), txn(2, 3, [r("x", [1])])], { x: [1] })).toContain("aborted-read");
    expect(kinds([txn(0, 1, [a("x", 1)]), txn(0, 1, [a("x", 2)])], { x: [2] })).toEqual(["lost-append"]);
  });

  it("lets an append with unknown outcome be applied or not", () => {
    expect(kinds([txn(0, 1, [a("x", 1)], "unknown"), txn(5, 6, [r("x", [1])])], { x: [1] })).toEqual([]);
    expect(kinds([txn(0, 1, [a("x", 1)], "unknown"), txn(5, 6, [r("x", [])])], { x: [] })).toEqual([]);
  });
});
