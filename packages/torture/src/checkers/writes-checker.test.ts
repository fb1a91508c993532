import { describe, expect, it } from "vitest";
import { makeHistory } from "../history/history.js";
import { simulateRegister } from "../simulation/sim-register.test-helpers.js";
import { SimStore } from "../simulation/sim-store.test-helpers.js";
import { buildRevisionLog } from "./revision-log.js";
import { checkWrites } from "./writes-checker.js";

const check = (history: ReturnType<typeof makeHistory>) => {
  const collector = history.watches.find((w) => w.collector);
  return checkWrites(history, collector ? buildRevisionLog(collector) : undefined);
};

describe("writes checker (at most once, none lost, none phantom)", () => {
  it("accepts correct clients, and says how the unknown outcomes turned out", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const result = check(simulateRegister({ seed, unknownRate: 0.2, failRate: 0.1 }).history);
      expect(result.violations).toEqual([]);
      if (seed === 1) expect(result.notes.join(" ")).toMatch(/unknown outcome: \d+ applied, \d+ not applied, 0 undecided/);
    }
  });

  it("catches a client that resends a write after a connection reset (applied twice)", () => {
    let caught = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { history } = simulateRegister({ seed, resendAfterReset: 0.2 });
      const kinds = check(history).violations.map((v) => v.kind);
      if (kinds.includes("duplicate-write")) caught++;
    }
    expect(caught).toBe(20);
  });

  it("finds the duplicate from reads alone when there is no log", () => {
    const store = new SimStore();
    store.put("k", "v1");
    const history = makeHistory({
      kv: [
        { type: "kv", id: 1, client: 0, workload: "register", input: { f: "put", key: "k", value: "v1" }, invoke: 0, return: 5, status: "ok", output: { f: "put", revision: 3n } },
        { type: "kv", id: 2, client: 1, workload: "register", input: { f: "get", key: "k" }, invoke: 1, return: 2, status: "ok", output: { f: "get", value: "v1", modRevision: 2n, revision: 2n } },
        { type: "kv", id: 3, client: 1, workload: "register", input: { f: "get", key: "k" }, invoke: 6, return: 7, status: "ok", output: { f: "get", value: "v1", modRevision: 3n, revision: 3n } },
      ],
    });
    expect(checkWrites(history, undefined).violations.map((v) => v.kind)).toEqual(["duplicate-write"]);
  });

  it("catches a client that reports a write whose outcome is unknown as not applied", () => {
    let caught = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const kinds = check(simulateRegister({ seed, unknownRate: 0.3, unknownReportedAsFailed: true }).history).violations.map((v) => v.kind);
      if (kinds.includes("phantom-write")) caught++;
    }
    expect(caught).toBe(20);
  });

  it("catches an acknowledged write that is not in the log (lost)", () => {
    const store = new SimStore();
    store.put("k", "v1");
    store.put("other", "x");
    const history = makeHistory({
      kv: [
        { type: "kv", id: 1, client: 0, workload: "register", input: { f: "put", key: "k", value: "v1" }, invoke: 0, return: 1, status: "ok", output: { f: "put", revision: 2n } },
        { type: "kv", id: 2, client: 0, workload: "register", input: { f: "put", key: "k", value: "v2" }, invoke: 2, return: 3, status: "ok", output: { f: "put", revision: 3n } },
      ],
      watches: [store.collector()],
      final: store.finalRead(),
    });
    const violations = check(history).violations;
    expect(violations.map((v) => v.kind)).toEqual(["lost-write"]);
    expect(violations[0]!.message).toMatch(/v2 to k was acknowledged at revision 3 but the log never shows it/);
  });

  it("catches two writes acknowledged with the same revision", () => {
    const history = makeHistory({
      kv: [
        { type: "kv", id: 1, client: 0, workload: "register", input: { f: "put", key: "a", value: "v1" }, invoke: 0, return: 1, status: "ok", output: { f: "put", revision: 2n } },
        { type: "kv", id: 2, client: 1, workload: "register", input: { f: "put", key: "b", value: "v2" }, invoke: 0, return: 1, status: "ok", output: { f: "put", revision: 2n } },
      ],
    });
    expect(checkWrites(history, undefined).violations.map((v) => v.kind)).toEqual(["duplicate-revision"]);
  });

  it("catches a delete reported failed that was applied, and a delete nobody made", () => {
    const store = new SimStore();
    store.put("k", "v1");
    store.delete("k");
    const put = { type: "kv" as const, id: 1, client: 0, workload: "register" as const, input: { f: "put" as const, key: "k", value: "v1" }, invoke: 0, return: 1, status: "ok" as const, output: { f: "put" as const, revision: 2n } };
    const failedDelete = { type: "kv" as const, id: 2, client: 0, workload: "register" as const, input: { f: "delete" as const, key: "k" }, invoke: 2, return: 3, status: "fail" as const, error: { reason: "deadline-exceeded", message: "", outcomeUnknown: false } };
    const unknownDelete = { ...failedDelete, status: "unknown" as const, return: Infinity, error: { reason: "outcome-unknown", message: "", outcomeUnknown: true } };
    const base = { watches: [store.collector()], final: store.finalRead() };
    expect(check(makeHistory({ ...base, kv: [put, failedDelete] })).violations.map((v) => v.kind)).toEqual(["phantom-write"]);
    expect(check(makeHistory({ ...base, kv: [put] })).violations.map((v) => v.kind)).toEqual(["unexplained-delete"]);
    expect(check(makeHistory({ ...base, kv: [put, unknownDelete] })).violations).toEqual([]);
  });
});
