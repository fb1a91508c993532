/**
 * Every lease call hands its `signal` / `timeoutMs` to the Connect client through
 * `connectCallOptions` (the SDK's one mapping of deadlines), never the raw options object: what
 * the transport sees is exactly what `connectCallOptions` makes of them. A recording transport
 * answers as configured; no I/O.
 */
import { createRecordingTransport } from "@etcdkit/testing";
import { connectCallOptions, type CallOptions } from "@etcdkit/transport";
import { describe, expect, it } from "vitest";
import { createLease } from "./create-lease.js";

const answers: Record<string, unknown> = {
  LeaseGrant: { ID: 0x42n, TTL: 5n },
  LeaseRevoke: {},
  LeaseTimeToLive: { ID: 0x42n, TTL: 5n, grantedTTL: 5n },
  LeaseLeases: { leases: [] },
};

describe("lease call options", () => {
  const cases: Array<[string, CallOptions]> = [
    ["timeoutMs: Infinity", { timeoutMs: Infinity }],
    ["timeoutMs: 2^40", { timeoutMs: 2 ** 40 }],
    ["timeoutMs: 1500", { timeoutMs: 1_500 }],
    ["a signal", { signal: new AbortController().signal }],
  ];
  for (const [name, options] of cases) {
    it(`passes ${name} as connectCallOptions maps it`, async () => {
      const transport = createRecordingTransport((call) => answers[call.method]);
      const leases = createLease(transport);
      const lease = await leases.grant(5, options);
      await lease.timeToLive(options);
      await leases.timeToLive(lease.id, options);
      await leases.leases(options);
      await lease.revoke(options);
      await leases.revoke(lease.id, options);
      const expected = connectCallOptions(options);
      expect(transport.calls.map((c) => c.method)).toEqual(["LeaseGrant", "LeaseTimeToLive", "LeaseTimeToLive", "LeaseLeases", "LeaseRevoke", "LeaseRevoke"]);
      for (const call of transport.calls) {
        expect({ method: call.method, timeoutMs: call.timeoutMs, signal: call.signal }).toEqual({
          method: call.method,
          timeoutMs: expected.timeoutMs,
          signal: expected.signal,
        });
      }
      await leases.close();
    });
  }
});
