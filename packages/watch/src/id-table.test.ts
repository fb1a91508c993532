import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdTable } from "./id-table.js";
import type { WatchSubscription } from "./watch-subscription.js";

const sub = (n: number) => ({ n }) as unknown as WatchSubscription;

describe("IdTable", () => {
  it("behaves like a Map for sequential IDs with deletions, server-picked IDs and -1", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant("add" as const), fc.nat(9_000), fc.integer({ min: -2, max: 20_000 }).map((x) => ({ foreign: x }))), {
          maxLength: 12_000,
          size: "max",
        }),
        (ops) => {
          const table = new IdTable();
          const model = new Map<number, WatchSubscription>();
          let next = 1;
          for (const op of ops) {
            if (op === "add") {
              const s = sub(next);
              table.set(next, s);
              model.set(next, s);
              next++;
            } else if (typeof op === "number") {
              table.delete(op);
              model.delete(op);
            } else {
              const s = sub(op.foreign);
              table.set(op.foreign, s);
              model.set(op.foreign, s);
            }
          }
          expect(table.size).toBe(model.size);
          for (const [id, s] of model) expect(table.get(id)).toBe(s);
          expect(new Set(table.values())).toEqual(new Set(model.values()));
          expect(table.get(-1)).toBe(model.get(-1));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("turns into a Map once a large table is mostly empty, and keeps working", () => {
    const table = new IdTable();
    for (let id = 1; id <= 5_000; id++) table.set(id, sub(id));
    for (let id = 1; id <= 4_000; id++) table.delete(id);
    expect(table.size).toBe(1_000);
    table.set(5_001, sub(5_001));
    expect(table.get(4_500)).toEqual({ n: 4_500 });
    expect(table.get(5_001)).toEqual({ n: 5_001 });
    expect(table.get(10)).toBeUndefined();
    expect([...table.values()]).toHaveLength(1_001);
  });
});
