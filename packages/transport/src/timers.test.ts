import { afterEach, describe, expect, it, vi } from "vitest";
import { refreshTimer, unrefTimer } from "./timers.js";

afterEach(() => vi.unstubAllGlobals());

/** A browser's timers: setTimeout returns a number, which has no unref() or refresh(). */
function browserTimers(): { fired: number[] } {
  const fired: number[] = [];
  let next = 1;
  const pending = new Map<number, () => void>();
  vi.stubGlobal("setTimeout", (fn: () => void) => {
    const id = next++;
    pending.set(id, () => {
      fired.push(id);
      fn();
    });
    return id;
  });
  vi.stubGlobal("clearTimeout", (id: number) => pending.delete(id));
  Object.assign(fired, { run: () => [...pending.values()].forEach((f) => f()) });
  return { fired };
}

describe("timers that run in every runtime", () => {
  it("unrefTimer unrefs Node's timers and leaves a browser's numeric timer IDs alone (a .unref() call threw there)", () => {
    const timeout = setTimeout(() => {}, 1_000);
    expect(unrefTimer(timeout)).toBe(timeout);
    expect(timeout.hasRef()).toBe(false);
    clearTimeout(timeout);
    expect(unrefTimer(42)).toBe(42);
  });

  it("refreshTimer re-arms Node's timer in place, and replaces a browser's numeric one (a .refresh() call threw there)", () => {
    const calls: string[] = [];
    const node = setTimeout(() => calls.push("node"), 60_000);
    expect(refreshTimer(node, () => calls.push("new"), 10)).toBe(node);
    clearTimeout(node);

    browserTimers();
    const first = setTimeout(() => calls.push("old"), 10) as unknown as number;
    const second = refreshTimer(first as never, () => calls.push("renewed"), 10) as unknown as number;
    expect(typeof second).toBe("number");
    expect(second).not.toBe(first);
  });
});
