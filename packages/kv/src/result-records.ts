import type { KeyValue, ResponseHeader, Revision } from "@etcdkit/transport";
import { ReadableRecord } from "@etcdkit/transport/internal";
import type * as R from "./results.js";

/**
 * The objects behind the KV result types, each named like its type (what `console.log` shows).
 * They are frozen, and `JSON.stringify` works on them (bigints as decimal strings, keys and
 * values as text when valid UTF-8, else `{ base64 }`): see `ReadableRecord`.
 */

/**
 * A RangeResult.
 *
 * @example
 * ```ts
 * new RangeResult(header, header.revision, kvs, kvs.length, false);
 * ```
 */
export class RangeResult extends ReadableRecord implements R.RangeResult {
  readonly revision: Revision;
  readonly kvs: readonly KeyValue[];
  readonly count: number;
  readonly more: boolean;
  readonly header: ResponseHeader;

  constructor(header: ResponseHeader, revision: Revision, kvs: readonly KeyValue[], count: number, more: boolean) {
    super();
    this.header = header;
    this.revision = revision;
    this.kvs = kvs;
    this.count = count;
    this.more = more;
    Object.freeze(this);
  }
}

/**
 * A GetResult: the one key-value of a single-key read, or undefined.
 *
 * @example
 * ```ts
 * new GetResult(range.header, range.revision, range.kvs[0]);
 * ```
 */
export class GetResult extends ReadableRecord implements R.GetResult {
  readonly revision: Revision;
  readonly kv: KeyValue | undefined;
  readonly header: ResponseHeader;

  constructor(header: ResponseHeader, revision: Revision, kv: KeyValue | undefined) {
    super();
    this.header = header;
    this.revision = revision;
    this.kv = kv;
    Object.freeze(this);
  }
}

/**
 * A PutResult.
 *
 * @example
 * ```ts
 * new PutResult(header, header.revision, undefined);
 * ```
 */
export class PutResult extends ReadableRecord implements R.PutResult {
  readonly revision: Revision;
  readonly prevKv: KeyValue | undefined;
  readonly header: ResponseHeader;

  constructor(header: ResponseHeader, revision: Revision, prevKv: KeyValue | undefined) {
    super();
    this.header = header;
    this.revision = revision;
    this.prevKv = prevKv;
    Object.freeze(this);
  }
}

/**
 * A DeleteResult.
 *
 * @example
 * ```ts
 * new DeleteResult(header, header.revision, 1, []);
 * ```
 */
export class DeleteResult extends ReadableRecord implements R.DeleteResult {
  readonly revision: Revision;
  readonly deleted: number;
  readonly prevKvs: readonly KeyValue[];
  readonly header: ResponseHeader;

  constructor(header: ResponseHeader, revision: Revision, deleted: number, prevKvs: readonly KeyValue[]) {
    super();
    this.header = header;
    this.revision = revision;
    this.deleted = deleted;
    this.prevKvs = prevKvs;
    Object.freeze(this);
  }
}

/**
 * A CompactResult.
 *
 * @example
 * ```ts
 * new CompactResult(header, header.revision);
 * ```
 */
export class CompactResult extends ReadableRecord implements R.CompactResult {
  readonly revision: Revision;
  readonly header: ResponseHeader;

  constructor(header: ResponseHeader, revision: Revision) {
    super();
    this.header = header;
    this.revision = revision;
    Object.freeze(this);
  }
}

/**
 * A TxnResult (either branch).
 *
 * @example
 * ```ts
 * new TxnResult(true, header, header.revision, responses) as R.TxnResult;
 * ```
 */
export class TxnResult extends ReadableRecord {
  readonly succeeded: boolean;
  readonly revision: Revision;
  readonly responses: readonly R.AnyOpResult[];
  readonly header: ResponseHeader;

  constructor(succeeded: boolean, header: ResponseHeader, revision: Revision, responses: readonly R.AnyOpResult[]) {
    super();
    this.succeeded = succeeded;
    this.header = header;
    this.revision = revision;
    this.responses = responses;
    Object.freeze(this);
  }
}

/**
 * A page of `kv.paginate`.
 *
 * @example
 * ```ts
 * new RangePage(page.header, pinned, page.kvs);
 * ```
 */
export class RangePage extends ReadableRecord {
  readonly revision: Revision;
  readonly kvs: readonly KeyValue[];
  readonly header: ResponseHeader;

  constructor(header: ResponseHeader, revision: Revision, kvs: readonly KeyValue[]) {
    super();
    this.header = header;
    this.revision = revision;
    this.kvs = kvs;
    Object.freeze(this);
  }
}
