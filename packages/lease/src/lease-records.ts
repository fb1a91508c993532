import type { LeaseId, ResponseHeader, Revision } from "@etcdkit/transport";
import { ReadableRecord } from "@etcdkit/transport/internal";
import type * as R from "./index.js";

/**
 * The objects behind the lease result types, each named like its type (what `console.log`
 * shows): frozen, and serializable with `JSON.stringify` (IDs and revisions as decimal strings,
 * keys as text or `{ base64 }`; see `ReadableRecord`).
 */

/**
 * A LeaseRenewal.
 *
 * @example
 * ```ts
 * new LeaseRenewal(id, ttl, monotonicNow(), sentAt + ttl * 1000, header);
 * ```
 */
export class LeaseRenewal extends ReadableRecord implements R.LeaseRenewal {
  readonly id: LeaseId;
  readonly ttl: number;
  readonly revision: Revision;
  readonly at: number;
  readonly deadline: number;
  readonly header: ResponseHeader;

  constructor(id: LeaseId, ttl: number, at: number, deadline: number, header: ResponseHeader) {
    super();
    this.id = id;
    this.ttl = ttl;
    this.revision = header.revision;
    this.at = at;
    this.deadline = deadline;
    this.header = header;
    Object.freeze(this);
  }
}

/**
 * A LeaseTimeToLive.
 *
 * @example
 * ```ts
 * new LeaseTimeToLive(id, Number(r.TTL), Number(r.grantedTTL), r.keys, toResponseHeader(r.header));
 * ```
 */
export class LeaseTimeToLive extends ReadableRecord implements R.LeaseTimeToLive {
  readonly id: LeaseId;
  readonly ttl: number;
  readonly grantedTtl: number;
  readonly keys: readonly Uint8Array[];
  readonly expired: boolean;
  readonly header: ResponseHeader;

  constructor(id: LeaseId, ttl: number, grantedTtl: number, keys: readonly Uint8Array[], header: ResponseHeader) {
    super();
    this.id = id;
    this.ttl = ttl;
    this.grantedTtl = grantedTtl;
    this.keys = keys;
    this.expired = ttl < 0;
    this.header = header;
    Object.freeze(this);
  }
}

/**
 * A LeaseRevokeResult.
 *
 * @example
 * ```ts
 * new LeaseRevokeResult(toResponseHeader(response.header));
 * ```
 */
export class LeaseRevokeResult extends ReadableRecord implements R.LeaseRevokeResult {
  readonly header: ResponseHeader | undefined;

  constructor(header: ResponseHeader | undefined) {
    super();
    this.header = header;
    Object.freeze(this);
  }
}

/**
 * A LeaseList.
 *
 * @example
 * ```ts
 * new LeaseList(response.leases.map((status) => status.ID), toResponseHeader(response.header));
 * ```
 */
export class LeaseList extends ReadableRecord implements R.LeaseList {
  readonly leases: readonly LeaseId[];
  readonly header: ResponseHeader;

  constructor(leases: readonly LeaseId[], header: ResponseHeader) {
    super();
    this.leases = leases;
    this.header = header;
    Object.freeze(this);
  }
}

/**
 * A LeaseLoss.
 *
 * @example
 * ```ts
 * new LeaseLoss("expired", lossError("expired", id, ttl), monotonicNow());
 * ```
 */
export class LeaseLoss extends ReadableRecord implements R.LeaseLoss {
  readonly reason: R.LeaseLossReason;
  readonly error: R.LeaseLoss["error"];
  readonly at: number;

  constructor(reason: R.LeaseLossReason, error: R.LeaseLoss["error"], at: number) {
    super();
    this.reason = reason;
    this.error = error;
    this.at = at;
    Object.freeze(this);
  }
}
