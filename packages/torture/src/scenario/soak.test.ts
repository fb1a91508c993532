import { describe, expect, it } from "vitest";
import { soakVerdict, type SoakSample } from "./soak.js";

const MB = 1024 * 1024;

/** 40 samples, one a second: heap and handles as `shape` gives them for sample i. */
function series(shape: (i: number) => { heapUsed: number; handles: number }, quiet: (i: number) => boolean = () => true): SoakSample[] {
  return Array.from({ length: 40 }, (_, i) => ({ at: i * 1000, quiet: quiet(i), byType: {}, ...shape(i) }));
}

describe("soakVerdict", () => {
  it("calls a heap and handle count that move within noise flat", () => {
    const verdict = soakVerdict(series((i) => ({ heapUsed: 22 * MB + (i % 5) * MB, handles: 170 + (i % 3) })));
    expect(verdict.flat).toBe(true);
    expect(verdict.detail).toContain("40 quiet samples");
  });

  it("catches a heap that keeps growing (a leak of 1 MB a second)", () => {
    expect(soakVerdict(series((i) => ({ heapUsed: 22 * MB + i * MB, handles: 170 }))).flat).toBe(false);
  });

  it("catches handles that keep growing (five leaked a second)", () => {
    expect(soakVerdict(series((i) => ({ heapUsed: 22 * MB, handles: 170 + 5 * i }))).flat).toBe(false);
  });

  it("judges only the quiet samples: growth while a fault is in place is not a leak", () => {
    const faultyLate = series(
      (i) => ({ heapUsed: i >= 30 ? 80 * MB : 22 * MB, handles: i >= 30 ? 400 : 170 }),
      (i) => i < 30,
    );
    expect(soakVerdict(faultyLate).flat).toBe(true);
  });

  it("does not judge from too few quiet samples", () => {
    const verdict = soakVerdict(series((i) => ({ heapUsed: i * 10 * MB, handles: i * 10 }), (i) => i < 7));
    expect(verdict).toEqual({ flat: true, detail: "7 quiet samples: too few to judge" });
  });
});
