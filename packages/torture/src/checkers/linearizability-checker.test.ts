import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeHistory } from "../history/history.js";
import type { KvInput, KvOperation, KvOutput } from "../history/types.js";
import { simulateRegister } from "../simulation/sim-register.test-helpers.js";
import { checkHistory } from "./check-history.js";
import { checkLinearizability } from "./linearizability-checker.js";
import { buildRevisionLog } from "./revision-log.js";

let nextId = 1;
function op(client: number, input: KvInput, invoke: number, ret: number, output?: KvOutput, status: KvOperation["status"] = "ok"): KvOperation {
  return {
    type: "kv",
    id: nextId++,
    client,
    workload: "register",
    input,
    invoke,
    return: status === "unknown" ? Infinity : ret,
    status,
    ...(output ? { output } : {}),
    ...(status !== "ok" ? { error: { reason: status === "unknown" ? "outcome-unknown" : "unavailable", message: "", outcomeUnknown: status === "unknown" } } : {}),
  };
}

const kinds = (history: Parameters<typeof checkLinearizability>[0], withLog = true): string[] => {
  const collector = history.watches.find((w) => w.collector);
  const log = withLog && collector ? buildRevisionLog(collector) : undefined;
  return checkLinearizability(history, log ? { log, complete: true } : undefined).violations.map((v) => v.kind);
};

describe("linearizability checker: hand-built histories", () => {
  it("accepts a put then a get of its value", () => {
    const history = makeHistory({
      kv: [op(0, { f: "put", key: "k", value: "a" }, 0, 2, { f: "put", revision: 2n }), op(1, { f: "get", key: "k" }, 3, 4, { f: "get", value: "a", modRevision: 2n, revision: 2n })],
    });
    expect(checkLinearizability(history, undefined).status).toBe("ok");
  });

  it("accepts concurrent reads that see the old or the new value", () => {
    const history = makeHistory({
      kv: [
        op(0, { f: "put", key: "k", value: "a" }, 0, 1, { f: "put", revision: 2n }),
        op(0, { f: "put", key: "k", value: "b" }, 2, 10, { f: "put", revision: 3n }),
        op(1, { f: "get", key: "k" }, 3, 4, { f: "get", value: "a", modRevision: 2n, revision: 2n }),
        op(2, { f: "get", key: "k" }, 5, 6, { f: "get", value: "b", modRevision: 3n, revision: 3n }),
      ],
    });
    expect(checkLinearizability(history, undefined).status).toBe("ok");
  });

  it("finds a read of the old value after a newer read (a stale read)", () => {
    const history = makeHistory({
      kv: [
        op(0, { f: "put", key: "k", value: "a" }, 0, 1, { f: "put", revision: 2n }),
        op(0, { f: "put", key: "k", value: "b" }, 2, 10, { f: "put", revision: 3n }),
        op(1, { f: "get", key: "k" }, 3, 4, { f: "get", value: "b", modRevision: 3n, revision: 3n }),
        op(2, { f: "get", key: "k" }, 5, 6, { f: "get", value: "a", modRevision: 2n, revision: 2n }),
      ],
    });
    const result = checkLinearizability(history, undefined);
    expect(result.status).toBe("violation");
    expect(result.violations.map((v) => v.kind)).toContain("linearizability");
  });

  it("lets a write with unknown outcome take effect late, or never", () => {
    const late = makeHistory({
      kv: [
        op(0, { f: "put", key: "k", value: "a" }, 0, 1, undefined, "unknown"),
        op(1, { f: "get", key: "k" }, 2, 3, { f: "get", value: null, modRevision: 0n, revision: 1n }),
        op(1, { f: "get", key: "k" }, 50, 51, { f: "get", value: "a", modRevision: 2n, revision: 2n }),
      ],
    });
    expect(checkLinearizability(late, undefined).status).toBe("ok");
    const never = makeHistory({ kv: [op(0, { f: "put", key: "k", value: "a" }, 0, 1, undefined, "unknown"), op(1, { f: "get", key: "k" }, 50, 51, { f: "get", value: null, modRevision: 0n, revision: 1n })] });
    expect(checkLinearizability(never, undefined).status).toBe("ok");
  });

  it("treats a failed write as never applied", () => {
    const history = makeHistory({
      kv: [op(0, { f: "put", key: "k", value: "a" }, 0, 1, undefined, "fail"), op(1, { f: "get", key: "k" }, 50, 51, { f: "get", value: "a", modRevision: 2n, revision: 2n })],
    });
    expect(checkLinearizability(history, undefined).status).toBe("violation");
  });

  it("checks CAS guards: a CAS cannot succeed on a value it did not expect", () => {
    const history = makeHistory({
      kv: [
        op(0, { f: "put", key: "k", value: "a" }, 0, 1, { f: "put", revision: 2n }),
        op(1, { f: "cas", key: "k", expect: "x", value: "b" }, 2, 3, { f: "cas", succeeded: true, revision: 3n }),
      ],
    });
    expect(checkLinearizability(history, undefined).violations.map((v) => v.kind)).toContain("linearizability");
  });

  it("finds a read whose revision goes back in real time across keys (revision-order)", () => {
    const history = makeHistory({
      kv: [
        op(0, { f: "put", key: "a", value: "1" }, 0, 1, { f: "put", revision: 5n }),
        op(1, { f: "get", key: "b" }, 2, 3, { f: "get", value: null, modRevision: 0n, revision: 4n }),
      ],
    });
    expect(checkLinearizability(history, undefined).violations.map((v) => v.kind)).toEqual(["revision-order"]);
  });

  it("says unknown, never ok, when the search bound is reached", () => {
    // Many concurrent writes with unknown outcome and reads that force search.
    const kv: KvOperation[] = [];
    for (let i = 0; i < 14; i++) kv.push(op(i, { f: "put", key: "k", value: `v${i}` }, i * 0.01, 0, undefined, "unknown"));
    for (let i = 0; i < 14; i++) kv.push(op(20 + i, { f: "get", key: "k" }, 10 + i, 10.5 + i, { f: "get", value: `v${13 - i}`, modRevision: BigInt(100 - i), revision: 200n }));
    const result = checkLinearizability(makeHistory({ kv }), undefined, { maxStepsPerKey: 50 });
    expect(result.status).toBe("unknown");
    expect(result.notes.join(" ")).toMatch(/search stopped/);
  });
});

describe("linearizability checker: simulated clients", () => {
  it("accepts every history of correct clients, with failures and unknown outcomes, with or without the log", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const { history } = simulateRegister({ seed, unknownRate: 0.15, failRate: 0.1 });
        expect(kinds(history, true)).toEqual([]);
        expect(kinds(history, false)).toEqual([]);
        const all = checkHistory(history).results.filter((r) => r.status !== "ok");
        expect(all.map((r) => `${r.checker}: ${r.violations.map((v) => v.message).join("; ")}`)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("catches a client that reads from a stale member without saying so", () => {
    let caught = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { history } = simulateRegister({ seed, staleReadLag: 3 });
      const found = kinds(history);
      if (found.includes("linearizability") || found.includes("revision-order")) caught++;
    }
    expect(caught).toBe(20);
  });
});
