import { describe, expect, it } from "vitest";
import { createViolationList } from "./violation.js";

describe("createViolationList", () => {
  it("keeps violations in order, up to the cap per kind, each kind counted apart", () => {
    const found = createViolationList(2);
    const kept = [1, 2, 3].map((n) => found.add({ kind: "a", message: `a${n}` }));
    found.add({ kind: "b", message: "b1" });
    expect(kept).toEqual([true, true, false]);
    expect(found.items.map((v) => v.message)).toEqual(["a1", "a2", "b1"]);
  });

  it("takes a cap per call over the list's default, which is unbounded when not given", () => {
    const found = createViolationList();
    for (let n = 0; n < 7; n++) found.add({ kind: "capped", message: `c${n}` }, 5);
    for (let n = 0; n < 7; n++) found.add({ kind: "open", message: `o${n}` });
    expect(found.items.filter((v) => v.kind === "capped")).toHaveLength(5);
    expect(found.items.filter((v) => v.kind === "open")).toHaveLength(7);
  });
});
