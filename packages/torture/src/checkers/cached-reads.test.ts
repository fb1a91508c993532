import { describe, expect, it } from "vitest";
import { makeHistory } from "../history/history.js";
import type { KvInput, KvOperation, KvOutput } from "../history/types.js";
import { checkHistory } from "./check-history.js";

let nextId = 1;
function op(client: number, input: KvInput, invoke: number, ret: number, output: KvOutput): KvOperation {
  return { type: "kv", id: nextId++, client, workload: "register", input, invoke, return: ret, status: "ok", output };
}

const violationKinds = (kv: KvOperation[]): string[] =>
  checkHistory(makeHistory({ kv })).results.flatMap((r) => r.violations.map((v) => v.kind));

/**
 * Reads answered from a client-side cache (a leasing KV's hits): `cached: true`, their revision
 * only a lower bound. The checkers place them at any revision from their key's current one on,
 * and still catch a cached read of a value that was overwritten before it began.
 */
describe("cached reads", () => {
  it("accepts a cached read of the current value whose revision is older than another key's write that returned before it", () => {
    const kv = [
      op(0, { f: "put", key: "k", value: "a" }, 0, 1, { f: "put", revision: 2n }),
      op(1, { f: "get", key: "k" }, 2, 3, { f: "get", value: "a", modRevision: 2n, revision: 2n }),
      op(2, { f: "put", key: "other", value: "x" }, 4, 5, { f: "put", revision: 3n }),
      op(3, { f: "get", key: "k" }, 6, 7, { f: "get", value: "a", modRevision: 2n, revision: 3n }), // a plain read at 3
      op(1, { f: "get", key: "k" }, 8, 9, { f: "get", value: "a", modRevision: 2n, revision: 2n, cached: true }),
    ];
    expect(violationKinds(kv)).toEqual([]);
    // The same read not marked as cached is a stale revision.
    const uncached = kv.map((o, i) => (i === 4 ? { ...o, output: { f: "get", value: "a", modRevision: 2n, revision: 2n } as KvOutput } : o));
    expect(violationKinds(uncached)).toContain("revision-order");
  });

  it("still finds a cached read of a value overwritten before it began", () => {
    const kv = [
      op(0, { f: "put", key: "k", value: "a" }, 0, 1, { f: "put", revision: 2n }),
      op(0, { f: "put", key: "k", value: "b" }, 2, 3, { f: "put", revision: 3n }),
      op(1, { f: "get", key: "k" }, 4, 5, { f: "get", value: "a", modRevision: 2n, revision: 2n, cached: true }),
    ];
    expect(violationKinds(kv)).toContain("linearizability");
  });

  it("still finds a cached failed CAS that saw an overwritten value", () => {
    const kv = [
      op(0, { f: "put", key: "k", value: "a" }, 0, 1, { f: "put", revision: 2n }),
      op(0, { f: "put", key: "k", value: "b" }, 2, 3, { f: "put", revision: 3n }),
      op(1, { f: "cas", key: "k", expect: "z", value: "c" }, 4, 5, { f: "cas", succeeded: false, revision: 2n, value: "a", modRevision: 2n, cached: true }),
    ];
    expect(violationKinds(kv)).toContain("linearizability");
  });
});
