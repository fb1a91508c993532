import type {
  DeleteRangeResponse,
  PutResponse,
  RangeResponse,
  ResponseHeader,
  ResponseOp,
  TxnResponse,
} from "@etcdkit/api/etcdserverpb/rpc_pb";
import { type KeyValue, type ResponseHeader as Header, type Revision } from "@etcdkit/transport";
import { keyValueFromMessage, toEtcdError, toResponseHeader } from "@etcdkit/transport/internal";
import type { KeyValue as KeyValueMessage } from "@etcdkit/api/mvccpb/kv_pb";
import * as records from "./result-records.js";
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
 * The header of a result: etcd's (a response of its own), or inside a txn the enclosing txn's
 * (etcd fills in only the revision of an op's header there) with the op's revision.
 */
function headerOf(header: ResponseHeader | undefined, outer: Header | undefined): Header {
  return outer === undefined ? toResponseHeader(header) : toResponseHeader(outer, revisionOf(header, outer.revision));
}

/**
 * A RangeResponse as a RangeResult. `outer` is the enclosing txn's header, if any: its
 * revision is used when the response has none of its own.
 *
 * @example
 * ```ts
 * const result = decodeRange(await client.range(request));
 * ```
 */
export function decodeRange(response: RangeResponse, outer?: Header): RangeResult {
  const header = headerOf(response.header, outer);
  return new records.RangeResult(header, header.revision, keyValues(response.kvs), Number(response.count), response.more);
}

/**
 * A PutResponse as a PutResult.
 *
 * @example
 * ```ts
 * const { revision } = decodePut(await client.put(request));
 * ```
 */
export function decodePut(response: PutResponse, outer?: Header): PutResult {
  const header = headerOf(response.header, outer);
  return new records.PutResult(header, header.revision, response.prevKv === undefined ? undefined : keyValueFromMessage(response.prevKv));
}

/**
 * A DeleteRangeResponse as a DeleteResult.
 *
 * @example
 * ```ts
 * const { deleted } = decodeDelete(await client.deleteRange(request));
 * ```
 */
export function decodeDelete(response: DeleteRangeResponse, outer?: Header): DeleteResult {
  const header = headerOf(response.header, outer);
  return new records.DeleteResult(header, header.revision, Number(response.deleted), keyValues(response.prevKvs));
}

/**
 * A TxnResponse as a TxnResult; each inner result carries the revision etcd reports for it, and
 * the txn's header with that revision. A nested txn, which etcd reports no revision for, carries
 * its last op's (with no ops, the enclosing txn's).
 *
 * @example
 * ```ts
 * const { succeeded, responses } = decodeTxn(await client.txn(request));
 * ```
 */
export function decodeTxn(response: TxnResponse, outer?: Header): TxnResult {
  const header = headerOf(response.header, outer);
  const responses = Object.freeze(response.responses.map((item) => decodeResponseOp(item, header)));
  // A nested txn has no revision of its own from etcd: the revision after its last op is the
  // store's at that point of the enclosing txn (revisions within a txn never go down).
  const nested = outer !== undefined && !response.header?.revision;
  const last = nested ? responses.at(-1)?.revision : undefined;
  const own = last === undefined || last === header.revision ? header : toResponseHeader(header, last);
  return new records.TxnResult(response.succeeded, own, own.revision, responses) as TxnResult;
}

/**
 * One ResponseOp of a txn as the matching result; `txn` is the header of the txn it belongs to.
 *
 * Throws an EtcdError `unknown` when the server sent an empty response op (a newer op kind).
 *
 * @example
 * ```ts
 * response.responses.map((item) => decodeResponseOp(item, toResponseHeader(response.header)));
 * ```
 */
export function decodeResponseOp(item: ResponseOp, txn: Header): AnyOpResult {
  const { response } = item;
  switch (response.case) {
    case "responseRange":
      return decodeRange(response.value, txn);
    case "responsePut":
      return decodePut(response.value, txn);
    case "responseDeleteRange":
      return decodeDelete(response.value, txn);
    case "responseTxn":
      return decodeTxn(response.value, txn);
    default:
      throw toEtcdError(new Error("etcd sent a txn response op of an unknown kind"));
  }
}
