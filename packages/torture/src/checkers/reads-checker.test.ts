import { describe, expect, it } from "vitest";
import { makeHistory } from "../history/history.js";
import type { KvOperation } from "../history/types.js";
import { simulateRegister } from "../simulation/sim-register.test-helpers.js";
import { SimStore } from "../simulation/sim-store.test-helpers.js";
import { checkReads } from "./reads-checker.js";
import { buildRevisionLog } from "./revision-log.js";

const get = (id: number, client: number, value: string | null, modRevision: bigint, revision: bigint, serializable = false): KvOperation => ({
  type: "kv",
  id,
  client,
  workload: serializable ? "serializable" : "register",
  input: { f: "get", key: "k", ...(serializable ? { serializable: true } : {}) },
  invoke: id * 10,
  return: id * 10 + 1,
  status: "ok",
  output: { f: "get", value, modRevision, revision },
});

describe("reads checker", () => {
  it("accepts the reads of correct clients, serializable ones included", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { history } = simulateRegister({ seed, serializableRate: 0.3, unknownRate: 0.1 });
      const log = buildRevisionLog(history.watches.find((w) => w.collector)!);
      expect(checkReads(history, log).violations).toEqual([]);
    }
  });

  it("catches a client that answers from a cache with the current revision (read-mismatch)", () => {
    const store = new SimStore();
    store.put("k", "a"); // 2
    store.put("k", "b"); // 3
    store.put("other", "x"); // 4
    const log = buildRevisionLog(store.collector());
    const history = makeHistory({ kv: [get(1, 0, "b", 3n, 4n), get(2, 0, "a", 2n, 4n)], watches: [store.collector()], final: store.finalRead() });
    const violations = checkReads(history, log).violations;
    expect(violations.map((v) => v.kind)).toEqual(["read-mismatch"]);
    expect(violations[0]!.message).toMatch(/read of k at revision 4 returned "a" \(mod 2\); the log has "b"/);
  });

  it("catches serializable reads of one client that go back in revision", () => {
    const history = makeHistory({ kv: [get(1, 5, "a", 2n, 10n, true), get(2, 5, "a", 2n, 8n, true), get(3, 6, "a", 2n, 9n, true)] });
    expect(checkReads(history, undefined).violations.map((v) => v.kind)).toEqual(["serializable-non-monotonic"]);
  });
});
