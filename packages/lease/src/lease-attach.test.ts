/**
 * `attach()`: it takes every lease ID etcd can hold (negative ones too, as `leases()` lists them),
 * and the client does not keep an attached lease that nothing renews or times: once the program
 * drops it, it is garbage-collected. While the program holds it, the client still settles it
 * (`close()`, `leases.revoke(id)`). No I/O here: a recording transport answers as configured.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createRecordingTransport } from "@etcdkit/testing";
import { type LeaseId } from "@etcdkit/transport";
import { MIN_INT64 } from "@etcdkit/transport/internal";
import { describe, expect, it } from "vitest";
import { createLease } from "./create-lease.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Collects garbage until `done()` or 20 rounds have passed. */
async function collectGarbage(done: () => boolean): Promise<void> {
  for (let round = 0; round < 20 && !done(); round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("attach()", () => {
  it("takes the negative lease IDs that etcd 3.4 grants and leases() lists", () => {
    const leases = createLease(createRecordingTransport());
    expect(leases.attach(-5n).id).toBe(-5n);
    expect(leases.attach(MIN_INT64).id).toBe(MIN_INT64);
  });

  it("an attached lease nothing keeps alive is not kept by the client: dropped, it is garbage-collected", async () => {
    const leases = createLease(createRecordingTransport());
    const collected = new Set<LeaseId>();
    const finalizers = new FinalizationRegistry<LeaseId>((id) => collected.add(id));
    (() => {
      for (let id = 1n; id <= 100n; id++) finalizers.register(leases.attach(id, { ttl: 5 }), id);
    })();
    await collectGarbage(() => collected.size === 100);
    expect(collected.size).toBe(100);
    await leases.close();
  });

  it("while the program holds an attached lease, close() and revoke(id) still settle it", async () => {
    const transport = createRecordingTransport(() => ({}));
    const leases = createLease(transport);
    const revoked = leases.attach(-7n);
    const closed = leases.attach(9n);
    await collectGarbage(() => false); // the client's references do not keep them; ours do
    await leases.revoke(-7n);
    expect((await revoked.lost).reason).toBe("revoked");
    expect(closed.loss).toBeUndefined();
    await leases.close();
    expect((await closed.lost).reason).toBe("closed");
    expect(transport.calls.map((c) => c.method)).toEqual(["LeaseRevoke"]);
  });
});
