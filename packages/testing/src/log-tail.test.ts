import { describe, expect, it } from "vitest";
import { createLogTail } from "./log-tail.js";

describe("createLogTail", () => {
  it("keeps the last lines and joins partial lines per source", () => {
    const tail = createLogTail(3);
    tail.push("stderr", "a\nb");
    tail.push("stdout", "x\n");
    tail.push("stderr", "c\nd\n");
    expect(tail.text()).toBe(["x", "bc", "d"].join("\n"));
    tail.note("--- marker ---");
    tail.push("stderr", "pending");
    expect(tail.text()).toBe(["bc", "d", "--- marker ---", "pending"].join("\n"));
  });
});
