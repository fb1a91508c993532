import { describe, expect, it } from "vitest";
import { makeHistory } from "../history/history.js";
import { SimStore } from "../simulation/sim-store.test-helpers.js";
import { checkLog } from "./log-checker.js";
import { buildRevisionLog } from "./revision-log.js";

function store(): SimStore {
  const s = new SimStore();
  s.put("a", "1");
  s.put("b", "2");
  s.putAll([["a", "3"], ["c", "4"]]);
  s.delete("b");
  s.put("a", "5");
  return s;
}

describe("log checker", () => {
  it("accepts a complete log that replays to the final read", () => {
    const s = store();
    const collector = s.collector();
    const log = buildRevisionLog(collector);
    expect(checkLog(makeHistory({ watches: [collector], final: s.finalRead() }), log).violations).toEqual([]);
    expect(log.stateAt("a", 4n)).toMatchObject({ value: "3", version: 2 });
    expect(log.stateAt("b", 5n)).toBeNull();
  });

  it("finds a hole, a log that stops early, and a replay that differs from the final read", () => {
    const s = store();
    const collector = s.collector();
    const holed = { ...collector, batches: collector.batches.filter((b) => b.revision !== 3n) };
    expect(checkLog(makeHistory({ watches: [holed], final: s.finalRead() }), buildRevisionLog(holed)).violations.map((v) => v.kind)).toContain("log-gap");
    const short = { ...collector, batches: collector.batches.slice(0, -1) };
    expect(checkLog(makeHistory({ watches: [short], final: s.finalRead() }), buildRevisionLog(short)).violations.map((v) => v.kind)).toEqual(["log-behind"]);
    const final = s.finalRead();
    const wrong = { ...final, kvs: final.kvs.map((kv) => (kv.key === "c" ? { ...kv, version: 7 } : kv)) };
    expect(checkLog(makeHistory({ watches: [collector], final: wrong }), buildRevisionLog(collector)).violations.map((v) => v.kind)).toEqual(["log-final-mismatch"]);
  });
});
