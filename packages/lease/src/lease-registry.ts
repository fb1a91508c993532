import type { LeaseId } from "@etcdkit/transport";
import type { Lease } from "./lease.js";

/** What the finalizer needs to drop a collected lease's entry (nothing that holds the lease). */
interface Held {
  readonly id: LeaseId;
  readonly ref: WeakRef<Lease>;
}

/**
 * The leases a LeaseClient made or attached, by ID, so that `close()`, `revoke(id)` and
 * `keepAliveOnce(id)` reach every Lease object of an ID. It holds them weakly: a lease with
 * something running for it is held by that (the keepalive stream by its kept-alive leases, a
 * deadline timer by its lease, a call in flight by its lease), and one with nothing running
 * (an attached lease that is not kept alive) is the program's to keep. Once the program drops
 * it, it is garbage-collected and its entry goes with it.
 *
 * @example
 * ```ts
 * const registry = new LeaseRegistry();
 * registry.add(lease);
 * for (const l of registry.withId(lease.id)) l.markLost("revoked");
 * registry.delete(lease);
 * ```
 */
export class LeaseRegistry {
  private readonly byId = new Map<LeaseId, Set<WeakRef<Lease>>>();
  private readonly finalizer = new FinalizationRegistry<Held>((held) => this.drop(held.id, held.ref));

  /** Registers `lease` (weakly). */
  add(lease: Lease): void {
    const ref = new WeakRef(lease);
    const refs = this.byId.get(lease.id);
    if (refs === undefined) this.byId.set(lease.id, new Set([ref]));
    else refs.add(ref);
    this.finalizer.register(lease, { id: lease.id, ref }, ref);
  }

  /** Forgets `lease` (it is lost). */
  delete(lease: Lease): void {
    const refs = this.byId.get(lease.id);
    if (refs === undefined) return;
    for (const ref of refs) {
      if (ref.deref() !== lease) continue;
      this.finalizer.unregister(ref);
      this.drop(lease.id, ref);
      return;
    }
  }

  /** The live leases with ID `id`. */
  withId(id: LeaseId): Lease[] {
    const out: Lease[] = [];
    for (const ref of this.byId.get(id) ?? []) {
      const lease = ref.deref();
      if (lease !== undefined) out.push(lease);
    }
    return out;
  }

  /** Every live lease. */
  all(): Lease[] {
    const out: Lease[] = [];
    for (const id of this.byId.keys()) out.push(...this.withId(id));
    return out;
  }

  private drop(id: LeaseId, ref: WeakRef<Lease>): void {
    const refs = this.byId.get(id);
    if (refs === undefined) return;
    refs.delete(ref);
    if (refs.size === 0) this.byId.delete(id);
  }
}
