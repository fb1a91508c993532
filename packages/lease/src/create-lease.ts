import type { Client, Transport } from "@connectrpc/connect";
import { Lease as LeaseService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { connectCallOptions, isEtcdError, monotonicNow, type LeaseId, type ResponseHeader } from "@etcdkit/transport";
import {
  booleanOption,
  checkCallOptions,
  checkTransport,
  createRpcClient,
  invalidArgumentError,
  ownOptions,
  toEtcdError,
  toResponseHeader,
} from "@etcdkit/transport/internal";
import { KeepAliveHub, type KeepAliveStats } from "./keepalive-hub.js";
import { keepAliveOnce } from "./keepalive-once.js";
import { Lease, type LeaseBackend, type LeaseCallOptions } from "./lease.js";
import { fetchTimeToLive, type LeaseTimeToLive } from "./lease-time-to-live.js";
import { checkLeaseId } from "./lease-arguments.js";
import { lossError } from "./lease-loss.js";
import { LeaseRegistry } from "./lease-registry.js";
import type { LeaseRenewal } from "./lease-renewal.js";
import * as records from "./lease-records.js";
import type { LeaseList, LeaseRevokeResult } from "./lease-results.js";

/**
 * Options of `grant`.
 *
 * @example
 * ```ts
 * await leases.grant(10, { keepAlive: true, timeoutMs: 2000 });
 * ```
 */
export interface GrantOptions extends LeaseCallOptions {
  /**
   * Ask for this lease ID (etcd fails with "lease-exists" if taken). Default: etcd picks one.
   * A grant is retried when an attempt's answer was lost; a "lease-exists" with `outcomeUnknown`
   * then means the lease may be yours (granted by the earlier attempt) or someone else's: check
   * (`timeToLive`) or revoke it before granting again.
   */
  readonly id?: LeaseId;
  /** Start keepalive right away (same as calling `lease.keepAlive()`). Default false. */
  readonly keepAlive?: boolean;
}

/**
 * etcd's lease API on one transport. Every lease kept alive through any LeaseClient of the same
 * transport is renewed on one shared LeaseKeepAlive stream.
 *
 * Every call throws "invalid-argument" before any I/O for a lease ID that is not a non-zero int64
 * bigint (etcd 3.4 grants negative IDs a client asks for, and `leases()` lists them), options
 * that are not an object, a flag that is not a boolean, a `timeoutMs` that is not a number or a
 * `signal` that is not an AbortSignal.
 *
 * @example
 * ```ts
 * const leases = createLease(transport);
 * await using lease = await leases.grant(5);
 * lease.keepAlive();
 * console.log((await leases.leases()).leases);
 * ```
 */
export interface LeaseClient extends AsyncDisposable {
  /**
   * Grants a lease of `ttl` seconds (etcd may raise a small TTL to its minimum). The returned
   * lease's local deadline starts when the request was sent.
   * Throws "invalid-argument" (before I/O) for a TTL that is not a positive (safe) integer or an
   * `id` that is not a bigint from 0n (etcd picks) to 2^63 - 1; "lease-exists",
   * "lease-ttl-too-large", "no-space", or transport errors.
   */
  grant(ttl: number, options?: GrantOptions): Promise<Lease>;
  /**
   * A Lease object for a lease granted elsewhere (e.g. by another process), to keep it alive,
   * revoke it or watch for its loss. Its deadline is unknown until its first renewal. `ttl`
   * (seconds; 0, the default: unknown) is the TTL assumed until then (it sets the renewal cadence).
   * Any non-zero int64 ID, negative ones included. The client holds an attached lease only while
   * something runs for it (keepalive, a deadline timer, a call): one the program drops before
   * that is garbage-collected (its `lost` then never settles).
   */
  attach(id: LeaseId, options?: { readonly ttl?: number }): Lease;
  /**
   * Revokes a lease by ID (its keys are deleted); this client's leases with that ID are lost as
   * "revoked". Throws "lease-not-found" when etcd does not have it (they are lost as "expired"),
   * or transport errors. A "lease-not-found" after a retry of an attempt whose answer was lost
   * (`outcomeUnknown`) resolves: the lease is gone either way (its result then has no header).
   */
  revoke(id: LeaseId, options?: LeaseCallOptions): Promise<LeaseRevokeResult>;
  /** Remaining TTL (and keys with `keys: true`) of a lease; `expired: true` when etcd does not have it. */
  timeToLive(id: LeaseId, options?: LeaseCallOptions & { readonly keys?: boolean }): Promise<LeaseTimeToLive>;
  /** The IDs of every lease etcd holds (`leases`), with the header of etcd's answer. */
  leases(options?: LeaseCallOptions): Promise<LeaseList>;
  /**
   * Renews a lease once (see `Lease.keepAliveOnce`: retried like Go's client, inside `signal` and
   * `timeoutMs`; no deadline unless `timeoutMs` is given). Throws "lease-not-found" when etcd does
   * not have it, "deadline-exceeded" / "canceled", or the last retryable error.
   */
  keepAliveOnce(id: LeaseId, options?: LeaseCallOptions): Promise<LeaseRenewal>;
  /**
   * Stops keepalive of every lease this client made or attached, without revoking them; they are
   * lost with reason "closed". Idempotent.
   */
  close(): Promise<void>;
  /** Counters of the transport's shared keepalive stream. */
  readonly stats: KeepAliveStats;
}

const hubs = new WeakMap<Transport, KeepAliveHub>();

/**
 * Creates the lease API on `transport` (any Connect transport; etcdkit's `createTransport` is
 * the fast one). Every call passes its errors through `toEtcdError`.
 *
 * @example
 * ```ts
 * const leases = createLease(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));
 * const lease = await leases.grant(5, { keepAlive: true });
 * lease.lost.then(({ reason }) => console.log("lease lost:", reason));
 * ```
 */
export function createLease(transport: Transport): LeaseClient {
  checkTransport(transport, "createLease");
  let hub = hubs.get(transport);
  if (hub === undefined) {
    hub = new KeepAliveHub(transport);
    hubs.set(transport, hub);
  }
  return new LeaseClientImpl(createRpcClient(LeaseService, transport), hub);
}

class LeaseClientImpl implements LeaseClient, LeaseBackend {
  private readonly owned = new LeaseRegistry();
  private closed = false;

  constructor(
    readonly client: Client<typeof LeaseService>,
    readonly hub: KeepAliveHub,
  ) {}

  get stats(): KeepAliveStats {
    return this.hub.stats;
  }

  forget(lease: Lease): void {
    this.owned.delete(lease);
  }

  async grant(ttl: number, given?: GrantOptions): Promise<Lease> {
    if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl <= 0) {
      throw invalidArgumentError(`lease TTL must be a positive integer number of seconds, got ${String(ttl)}`);
    }
    const options = ownOptions(given); // own properties only: a polluted Object.prototype sets none
    checkCallOptions(options);
    if (options.id !== undefined) checkLeaseId(options.id, "grant");
    booleanOption(options.keepAlive, "keepAlive");
    const sentAt = monotonicNow();
    let granted: { ID: bigint; TTL: bigint; header?: Parameters<typeof toResponseHeader>[0] };
    try {
      granted = await this.client.leaseGrant({ TTL: BigInt(ttl), ID: options.id ?? 0n }, connectCallOptions(options));
    } catch (err) {
      throw toEtcdError(err);
    }
    const seconds = Number(granted.TTL);
    const lease = this.track(new Lease(granted.ID, seconds, sentAt + seconds * 1000, this, toResponseHeader(granted.header)));
    if (options.keepAlive === true) lease.keepAlive();
    return lease;
  }

  attach(id: LeaseId, given?: { readonly ttl?: number }): Lease {
    checkLeaseId(id);
    if (given !== undefined && (typeof given !== "object" || given === null)) {
      throw invalidArgumentError("lease: options must be an object");
    }
    const ttl = ownOptions(given).ttl ?? 0;
    if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < 0) {
      throw invalidArgumentError(`attach: ttl must be a non-negative integer number of seconds (0: unknown), got ${String(ttl)}`);
    }
    return this.track(new Lease(id, ttl, undefined, this));
  }

  async revoke(id: LeaseId, options?: LeaseCallOptions): Promise<LeaseRevokeResult> {
    checkLeaseId(id);
    checkCallOptions(options);
    let header: ResponseHeader | undefined;
    try {
      header = toResponseHeader((await this.client.leaseRevoke({ ID: id }, connectCallOptions(options))).header);
    } catch (err) {
      const error = toEtcdError(err);
      if (!isEtcdError(error, "lease-not-found")) throw error;
      if (!error.outcomeUnknown) {
        for (const lease of this.owned.withId(id)) lease.markLost("expired");
        throw error;
      }
      // retried after an attempt whose answer was lost: that attempt revoked it, or it expired
    }
    for (const lease of this.owned.withId(id)) lease.markLost("revoked");
    return new records.LeaseRevokeResult(header);
  }

  timeToLive(id: LeaseId, options?: LeaseCallOptions & { readonly keys?: boolean }): Promise<LeaseTimeToLive> {
    return fetchTimeToLive(this.client, id, options);
  }

  async leases(options?: LeaseCallOptions): Promise<LeaseList> {
    checkCallOptions(options);
    try {
      const response = await this.client.leaseLeases({}, connectCallOptions(options));
      return new records.LeaseList(Object.freeze(response.leases.map((status) => status.ID)), toResponseHeader(response.header));
    } catch (err) {
      throw toEtcdError(err);
    }
  }

  async keepAliveOnce(id: LeaseId, options?: LeaseCallOptions): Promise<LeaseRenewal> {
    const result = await keepAliveOnce(this.client, id, options);
    if (result.ttl <= 0) {
      for (const lease of this.owned.withId(id)) lease.markLost("expired");
      throw lossError("expired", id, 0);
    }
    let renewal: LeaseRenewal | undefined;
    for (const lease of this.owned.withId(id)) renewal = lease.renewed(result.sentAt, result.ttl, result.header) ?? renewal;
    return renewal ?? new records.LeaseRenewal(id, result.ttl, monotonicNow(), result.sentAt + result.ttl * 1000, result.header);
  }

  close(): Promise<void> {
    this.closed = true;
    for (const lease of this.owned.all()) lease.markLost("closed");
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private track(lease: Lease): Lease {
    if (this.closed) {
      lease.markLost("closed");
      return lease;
    }
    this.owned.add(lease);
    return lease;
  }
}

