import type * as Kv from "@etcdkit/kv";
import type { KeyValue, ResponseHeader, Revision } from "@etcdkit/transport";
import { ReadableRecord } from "@etcdkit/transport/internal";

/**
 * The results the leasing KV makes itself (reads and txns answered from the cache), as readable
 * as `@etcdkit/kv`'s: frozen, `JSON.stringify` works on them (bigints as decimal strings, keys and
 * values as text when valid UTF-8, else `{ base64 }`) and `console.log` shows them by their type's
 * name (each class is named like the type it implements).
 */

/**
 * A RangeResult of one key answered from a known value (`more` is always false).
 *
 * @example
 * ```ts
 * new RangeResult(state.header, cache.knownRevision, [copy], 1);
 * ```
 */
export class RangeResult extends ReadableRecord implements Kv.RangeResult {
  readonly revision: Revision;
  readonly kvs: readonly KeyValue[];
  readonly count: number;
  readonly more = false;
  readonly header: ResponseHeader;

  constructor(header: ResponseHeader, revision: Revision, kvs: readonly KeyValue[], count: number) {
    super();
    this.header = header;
    this.revision = revision;
    this.kvs = kvs;
    this.count = count;
    Object.freeze(this);
  }
}

/**
 * A TxnResult answered from the cache.
 *
 * @example
 * ```ts
 * new TxnResult(true, header, cache.knownRevision, responses) as Kv.TxnResult;
 * ```
 */
export class TxnResult extends ReadableRecord {
  readonly succeeded: boolean;
  readonly revision: Revision;
  readonly responses: readonly Kv.AnyOpResult[];
  readonly header: ResponseHeader;

  constructor(succeeded: boolean, header: ResponseHeader, revision: Revision, responses: readonly Kv.AnyOpResult[]) {
    super();
    this.succeeded = succeeded;
    this.header = header;
    this.revision = revision;
    this.responses = responses;
    Object.freeze(this);
  }
}
