import type { Client, Transport } from "@connectrpc/connect";
import { KV as KVService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { connectCallOptions, type Revision } from "@etcdkit/transport";
import {
  booleanOption,
  checkRevision,
  checkTransport,
  createRpcClient,
  ownOptions,
  toEtcdError,
  toResponseHeader,
} from "@etcdkit/transport/internal";
import { buildKV, type KV, type KVCore } from "./kv.js";
import type { Op } from "./ops.js";
import { CompactResult as CompactRecord } from "./result-records.js";
import type { CallOptions, CompactOptions } from "./options.js";
import { encodeDelete, encodePut, encodeRange, encodeTxn, notAnOpError, readOp } from "./request-encoding.js";
import { decodeDelete, decodePut, decodeRange, decodeTxn } from "./response-decoding.js";
import type { AnyOpResult, CompactResult, OpResult } from "./results.js";

/**
 * etcd's KV API over any Connect `Transport` (etcdkit's `createTransport`, or Connect's own
 * gRPC / gRPC-web transports). Creating it does no I/O and throws nothing. Its calls reject with
 * EtcdErrors only: `empty-key` / `invalid-argument` before any I/O; from etcd `compacted`,
 * `future-revision`, `too-many-ops`, `duplicate-key`, `request-too-large`, `key-not-found`,
 * `lease-not-found`, …; from the transport `unavailable`, `deadline-exceeded`, `canceled`,
 * `outcome-unknown`, … (see `KV`). Retrying is the transport's business: etcdkit's transport
 * never resends a write whose request may have reached etcd (its error then has
 * `outcomeUnknown: true`, whatever the reason), and retries reads only on transient errors
 * (a lost connection, `no-leader`, `leader-changed`, `timeout`, …).
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createKV, compare, op } from "@etcdkit/kv";
 *
 * const kv = createKV(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));
 * const { revision } = await kv.put("sample_key", "sample_value");
 * const { kv: item } = await kv.get("sample_key");
 * ```
 */
export function createKV(transport: Transport): KV {
  checkTransport(transport, "createKV");
  return buildKV(createKVCore(createRpcClient(KVService, transport)));
}

/**
 * The KVCore of `createKV`: ops encoded to requests of the generated KV client, responses
 * decoded to results, every error passed through `toEtcdError`.
 *
 * @example
 * ```ts
 * const core = createKVCore(createRpcClient(KVService, transport));
 * ```
 */
export function createKVCore(client: Client<typeof KVService>): KVCore {
  return {
    // One async function per call (no inner helper): every extra await level is one more promise
    // and one more suspended frame per call in flight.
    async do<O extends Op>(operation: O, options?: CallOptions): Promise<OpResult<O>> {
      try {
        const call = connectCallOptions(options);
        let result: AnyOpResult;
        switch (operation?.type) {
          case "get":
            result = decodeRange(await client.range(readOp(encodeRange, operation), call));
            break;
          case "put":
            result = decodePut(await client.put(readOp(encodePut, operation), call));
            break;
          case "delete":
            result = decodeDelete(await client.deleteRange(readOp(encodeDelete, operation), call));
            break;
          case "txn":
            result = decodeTxn(await client.txn(readOp(encodeTxn, operation), call));
            break;
          default:
            throw notAnOpError();
        }
        return result as OpResult<O>;
      } catch (error) {
        throw toEtcdError(error);
      }
    },
    async compact(revision: Revision, options?: CompactOptions): Promise<CompactResult> {
      checkRevision(revision, "compact: the revision");
      const own = ownOptions(options);
      const physical = booleanOption(own.physical, "physical");
      try {
        const response = await client.compact({ revision, physical }, connectCallOptions(own));
        const header = toResponseHeader(response.header);
        return new CompactRecord(header, header.revision);
      } catch (error) {
        throw toEtcdError(error);
      }
    },
  };
}
