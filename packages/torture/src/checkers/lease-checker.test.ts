import { describe, expect, it } from "vitest";
import { makeHistory } from "../history/history.js";
import type { LeaseRecord, TermSample } from "../history/types.js";
import { checkLeases } from "./lease-checker.js";

/** A lease renewed every TTL/3 from `grant` until `stopAt`, then lost `lostAfterMs` after its last renewal. */
function lease(options: { ttl: number; stopAt: number; lostAfterMs?: number; released?: boolean; keyReads?: LeaseRecord["keyReads"]; revoke?: LeaseRecord["revoke"] }): LeaseRecord {
  const ttlMs = options.ttl * 1000;
  const renewals: number[] = [];
  for (let t = ttlMs / 3; t <= options.stopAt; t += ttlMs / 3) renewals.push(t);
  const last = renewals[renewals.length - 1] ?? 0;
  const lostAt = options.lostAfterMs === undefined ? undefined : last + options.lostAfterMs;
  return {
    type: "lease",
    id: 1,
    client: 0,
    leaseId: 0xabcn,
    ttl: options.ttl,
    grantInvoke: -2,
    grantReturn: 0,
    renewals,
    ...(lostAt !== undefined ? { lost: { at: lostAt, reason: "deadline" } } : {}),
    ...(options.released ? { releasedAt: options.stopAt } : {}),
    ...(options.revoke ? { revoke: options.revoke } : {}),
    keys: ["l/abc/0"],
    keyReads: options.keyReads ?? [],
    trackedUntil: 60_000,
  };
}

const kinds = (leases: LeaseRecord[], terms: TermSample[] = []) => checkLeases(makeHistory({ leases, terms })).violations.map((v) => v.kind);

describe("lease checker", () => {
  it("accepts a lease lost at its deadline (last renewal + TTL)", () => {
    expect(kinds([lease({ ttl: 2, stopAt: 10_000, lostAfterMs: 2000, released: true })])).toEqual([]);
  });

  it("catches a client that fires lost late (2 x TTL, as etcd3 does)", () => {
    expect(kinds([lease({ ttl: 2, stopAt: 10_000, lostAfterMs: 4000, released: true })])).toEqual(["lease-lost-late"]);
  });

  it("catches a lease that is never lost although its renewals stopped", () => {
    expect(kinds([lease({ ttl: 2, stopAt: 10_000 })])).toEqual(["lease-lost-late"]);
  });

  it("catches renewals that resume after a gap longer than the TTL without a loss", () => {
    const record = lease({ ttl: 2, stopAt: 10_000, lostAfterMs: 2000 });
    const renewals = record.renewals.filter((t) => t < 4000 || t > 8000);
    expect(kinds([{ ...record, renewals }])).toEqual(["lease-lost-late"]);
  });

  it("catches keys that outlive a revoke, and keys that outlive the lease's expiry", () => {
    const revoked = lease({ ttl: 2, stopAt: 5000, revoke: { invoke: 5000, return: 5010, status: "ok" }, lostAfterMs: 10, keyReads: [{ key: "l/abc/0", invoke: 5020, return: 5030, present: true }] });
    expect(kinds([revoked])).toEqual(["lease-keys-outlived"]);
    // Released at 10 s: etcd expires it by 10 s + TTL 2 s + election 0.5 s + scan 0.5 s (+ 1 s slack).
    const onTime = lease({ ttl: 2, stopAt: 10_000, released: true, lostAfterMs: 1900, keyReads: [{ key: "l/abc/0", invoke: 13_500, return: 13_510, present: true }] });
    expect(kinds([onTime])).toEqual([]);
    const late = lease({ ttl: 2, stopAt: 10_000, released: true, lostAfterMs: 1900, keyReads: [{ key: "l/abc/0", invoke: 14_100, return: 14_110, present: true }] });
    expect(kinds([late])).toEqual(["lease-keys-outlived"]);
  });

  it("allows for a leader change, which restarts every lease's TTL", () => {
    const late = lease({ ttl: 2, stopAt: 10_000, released: true, lostAfterMs: 1900, keyReads: [{ key: "l/abc/0", invoke: 15_000, return: 15_010, present: true }] });
    const terms: TermSample[] = [
      { type: "term", at: 0, term: 2n },
      { type: "term", at: 12_000, term: 3n },
    ];
    expect(kinds([late], terms)).toEqual([]);
  });

  it("allows for a leader lost before the bound whose successor is seen only after it", () => {
    // Released at 10 s, TTL 2 s: bound 14 s. The leader dies at ~12.2 s; a new leader is seen at 15.2 s.
    const read = { key: "l/abc/0", invoke: 17_000, return: 17_010, present: true };
    const terms: TermSample[] = [
      { type: "term", at: 1000, prev: 700, term: 2n, leader: true },
      { type: "term", at: 12_500, prev: 12_200, term: 2n, leader: false },
      { type: "term", at: 15_200, prev: 14_900, term: 3n, leader: true },
    ];
    expect(kinds([lease({ ttl: 2, stopAt: 10_000, released: true, lostAfterMs: 1900, keyReads: [read] })], terms)).toEqual([]);
    // The same spell starting after the bound changes nothing: the lease had to be gone by then.
    const late: TermSample[] = [terms[0]!, { ...terms[1]!, at: 14_600, prev: 14_300 }, { ...terms[2]!, at: 16_000, prev: 15_700 }];
    const early = { key: "l/abc/0", invoke: 14_200, return: 14_210, present: true };
    expect(kinds([lease({ ttl: 2, stopAt: 10_000, released: true, lostAfterMs: 1900, keyReads: [early] })], late)).toEqual(["lease-keys-outlived"]);
  });
});
