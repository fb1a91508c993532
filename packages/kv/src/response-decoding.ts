import type {
  DeleteRangeResponse,
  PutResponse,
  RangeResponse,
  ResponseHeader,
  ResponseOp,
  TxnResponse,
} from "@etcdkit/api/etcdserverpb/rpc_pb";
import { type Revision } from "@etcdkit/transport";
import { toEtcdError } from "@etcdkit/transport/internal";
import { type KeyValue } from "@etcdkit/transport";
import { keyValueFromMessage } from "@etcdkit/transport/internal";
import type { KeyValue as KeyValueMessage } from "@etcdkit/api/mvccpb/kv_pb";
import type { AnyOpResult, DeleteResult, PutResult, RangeResult, TxnResult } from "./results.js";

const noKeyValues: readonly KeyValue[] = Object.freeze([]);

/** The KeyValues of a response, frozen; one shared empty array when there are none. */
function keyValues(messages: readonly KeyValueMessage[]): readonly KeyValue[] {
  return messages.length === 0 ? noKeyValues : Object.freeze(messages.map(keyValueFromMessage));
}

/**
 * The revision of a response: its header's. Inside a txn etcd fills in each op's own revision (a
 * read, or a delete of nothing, before the txn's first write has the revision before the txn;
 * from the first write on, the txn's), but not a nested txn's: `outer` stands in for it.
 */
function revisionOf(header: ResponseHeader | undefined, outer: Revision | undefined): Revision {
  const own = header?.revision ?? 0n;
  return own !== 0n ? own : (outer ?? 0n);
}

/**
 * A RangeResponse as a RangeResult. `outer` is the enclosing txn's revision, if any (used when
 * the response has none of its own).
 *
 * @example
 * ```ts
 * const result = decodeRange(await client.range(request));
 * ```
 */
export function decodeRange(response: RangeResponse, outer?: Revision): RangeResult {
  return Object.freeze({
    revision: revisionOf(response.header, outer),
    kvs: keyValues(response.kvs),
    count: Number(response.count),
    more: response.more,
  });
}

/**
 * A PutResponse as a PutResult.
 *
 * @example
 * ```ts
 * const { revision } = decodePut(await client.put(request));
 * ```
 */
export function decodePut(response: PutResponse, outer?: Revision): PutResult {
  return Object.freeze({
    revision: revisionOf(response.header, outer),
    prevKv: response.prevKv === undefined ? undefined : keyValueFromMessage(response.prevKv),
  });
}

/**
 * A DeleteRangeResponse as a DeleteResult.
 *
 * @example
 * ```ts
 * const { deleted } = decodeDelete(await client.deleteRange(request));
 * ```
 */
export function decodeDelete(response: DeleteRangeResponse, outer?: Revision): DeleteResult {
  return Object.freeze({
    revision: revisionOf(response.header, outer),
    deleted: Number(response.deleted),
    prevKvs: keyValues(response.prevKvs),
  });
}

/**
 * A TxnResponse as a TxnResult; each inner result carries the revision etcd reports for it. A
 * nested txn, which etcd reports none for, carries its last op's (with no ops, the enclosing
 * txn's).
 *
 * @example
 * ```ts
 * const { succeeded, responses } = decodeTxn(await client.txn(request));
 * ```
 */
export function decodeTxn(response: TxnResponse, outer?: Revision): TxnResult {
  const fallback = revisionOf(response.header, outer);
  const responses = Object.freeze(response.responses.map((item) => decodeResponseOp(item, fallback)));
  // A nested txn has no revision of its own from etcd: the revision after its last op is the
  // store's at that point of the enclosing txn (revisions within a txn never go down).
  const nested = outer !== undefined && !response.header?.revision;
  const revision = (nested ? responses.at(-1)?.revision : undefined) ?? fallback;
  return Object.freeze({ succeeded: response.succeeded, revision, responses }) as TxnResult;
}

/**
 * One ResponseOp of a txn as the matching result.
 *
 * Throws an EtcdError `unknown` when the server sent an empty response op (a newer op kind).
 *
 * @example
 * ```ts
 * response.responses.map((item) => decodeResponseOp(item, revision));
 * ```
 */
export function decodeResponseOp(item: ResponseOp, revision: Revision): AnyOpResult {
  const { response } = item;
  switch (response.case) {
    case "responseRange":
      return decodeRange(response.value, revision);
    case "responsePut":
      return decodePut(response.value, revision);
    case "responseDeleteRange":
      return decodeDelete(response.value, revision);
    case "responseTxn":
      return decodeTxn(response.value, revision);
    default:
      throw toEtcdError(new Error("etcd sent a txn response op of an unknown kind"));
  }
}
