import { ReadableRecord } from "./readable.js";

/**
 * The object behind `ResponseHeader` values, named so for `console.log`: frozen, with the
 * `toJSON` and inspect view of every etcdkit result. Build one with `toResponseHeader`.
 *
 * @example
 * ```ts
 * const header = new ResponseHeader(clusterId, memberId, revision, raftTerm);
 * ```
 */
export class ResponseHeader extends ReadableRecord {
  readonly clusterId: bigint;
  readonly memberId: bigint;
  readonly revision: bigint;
  readonly raftTerm: bigint;

  constructor(clusterId: bigint, memberId: bigint, revision: bigint, raftTerm: bigint) {
    super();
    this.clusterId = clusterId;
    this.memberId = memberId;
    this.revision = revision;
    this.raftTerm = raftTerm;
    Object.freeze(this);
  }
}
