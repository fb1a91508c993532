import { thrownBy } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { isEtcdError } from "./errors/etcd-error.js";
import { checkInt64, checkMemberId, checkRevision, MAX_INT64, MAX_UINT64, MIN_INT64 } from "./id-checks.js";

describe("integer ID checks", () => {
  it("the bounds are int64's", () => {
    expect(MAX_INT64).toBe(BigInt.asIntN(64, (1n << 63n) - 1n));
    expect(MIN_INT64).toBe(BigInt.asIntN(64, 1n << 63n));
  });

  it("checkRevision takes 0n … 2^63-1 and names what it got otherwise", () => {
    for (const good of [0n, 1n, MAX_INT64]) expect(checkRevision(good, "revision")).toBe(good);
    for (const [bad, got] of [[-1n, "-1n"], [MAX_INT64 + 1n, "9223372036854775808n"], [5, "number"], [null, "null"], ["7", "string"]] as const) {
      const error = thrownBy(() => checkRevision(bad, "hashKV: revision"));
      expect(isEtcdError(error, "invalid-argument")).toBe(true);
      expect((error as Error).message).toContain(`hashKV: revision must be a bigint in 0n … 2^63-1, got ${got}`);
    }
  });

  it("checkInt64 takes -2^63 … 2^63-1", () => {
    for (const good of [MIN_INT64, -1n, 0n, MAX_INT64]) expect(checkInt64(good, "lease")).toBe(good);
    for (const bad of [MIN_INT64 - 1n, MAX_INT64 + 1n, 1, undefined]) {
      expect(isEtcdError(thrownBy(() => checkInt64(bad, "lease")), "invalid-argument")).toBe(true);
    }
  });

  it("checkMemberId takes 1n … 2^64-1 and appends the hint", () => {
    for (const good of [1n, MAX_UINT64]) expect(checkMemberId(good, "memberRemove: the member ID")).toBe(good);
    for (const bad of [0n, -1n, MAX_UINT64 + 1n, 1]) {
      const error = thrownBy(() => checkMemberId(bad, "alarmDisarm: alarm.memberId", " (alarmDisarmAll disarms every alarm)"));
      expect(isEtcdError(error, "invalid-argument")).toBe(true);
      expect((error as Error).message).toMatch(/^.*alarmDisarm: alarm.memberId must be a bigint in 1 … 2\^64-1, got .* \(alarmDisarmAll/);
    }
  });
});
