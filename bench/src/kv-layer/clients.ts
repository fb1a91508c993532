/**
 * The three ways the kv suite calls etcd's KV service: `raw` generated-client calls and the
 * `@etcdkit/kv` builder layer (both on one etcdkit `createTransport` per worker), and the `etcd3`
 * npm package for reference. Each client turns one loop's keys into the one call that loop
 * repeats, converting the keys the way its users would (once for raw, on every call for the others).
 */
import { createClient, type Transport } from "@connectrpc/connect";
import { Compare_CompareResult, Compare_CompareTarget, KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { compare, createKV, op } from "@etcdkit/kv";
import { createTransport } from "@etcdkit/transport";
import { Etcd3 } from "etcd3";
import type { LoopKeys } from "./workloads.js";

/** The calls of one kv-suite client. Each method builds the call one loop repeats. */
export interface KvLayerCalls {
  /** Put `keys.key` = `value`. */
  put(keys: LoopKeys, value: Uint8Array): () => Promise<unknown>;
  /** Range of exactly `keys.key`; resolves to its value (undefined when absent). */
  get(keys: LoopKeys): () => Promise<Uint8Array | undefined>;
  /**
   * Txn: if version(`keys.key`) > 0 then put `putA`, put `putB`, get `key`, delete `del`, else
   * nothing; resolves to `succeeded`.
   */
  txn4(keys: LoopKeys, value: Uint8Array): () => Promise<boolean>;
}

/** One connected client of the kv suite. */
export interface KvLayerClient extends KvLayerCalls {
  /** Releases connections; no call follows. */
  close(): Promise<void>;
}

/** A named way to connect a {@link KvLayerClient} to one etcd endpoint. */
export interface KvLayerClientFactory {
  /** Short id used in tables and on the command line. */
  readonly name: string;
  /** One line on what the client does per call, printed under the tables. */
  readonly description: string;
  create(url: string): KvLayerClient;
}

const encoder = new TextEncoder();

/**
 * Raw generated-client calls on `transport`: request literals per call, keys encoded once per loop.
 * Also used by the layer-cost worker on a fake transport.
 */
export function rawCalls(transport: Transport): KvLayerCalls {
  const kv = createClient(KV, transport);
  return {
    put(keys, value) {
      const key = encoder.encode(keys.key);
      return () => kv.put({ key, value });
    },
    get(keys) {
      const key = encoder.encode(keys.key);
      return () => kv.range({ key }).then((res) => res.kvs[0]?.value);
    },
    txn4(keys, value) {
      const key = encoder.encode(keys.key);
      const putA = encoder.encode(keys.putA);
      const putB = encoder.encode(keys.putB);
      const del = encoder.encode(keys.del);
      return () =>
        kv
          .txn({
            compare: [
              {
                result: Compare_CompareResult.GREATER,
                target: Compare_CompareTarget.VERSION,
                key,
                targetUnion: { case: "version", value: 0n },
              },
            ],
            success: [
              { request: { case: "requestPut", value: { key: putA, value } } },
              { request: { case: "requestPut", value: { key: putB, value } } },
              { request: { case: "requestRange", value: { key } } },
              { request: { case: "requestDeleteRange", value: { key: del } } },
            ],
            failure: [],
          })
          .then((res) => res.succeeded);
    },
  };
}

/**
 * The @etcdkit/kv builder layer on `transport`, with string keys as users write them; the txn is
 * built per call. Also used by the layer-cost worker on a fake transport.
 */
export function etcdkitKvCalls(transport: Transport): KvLayerCalls {
  const kv = createKV(transport);
  return {
    put({ key }, value) {
      return () => kv.put(key, value);
    },
    get({ key }) {
      return () => kv.get(key).then((result) => result.kv?.value);
    },
    txn4({ key, putA, putB, del }, value) {
      return () =>
        kv
          .txn()
          .if(compare.version(key, ">", 0))
          .then(op.put(putA, value), op.put(putB, value), op.get(key), op.delete(del))
          .commit()
          .then((res) => res.succeeded);
    },
  };
}

/** Generated-client calls on etcdkit's transport: request literals per call, keys encoded once per loop. */
export const rawClient: KvLayerClientFactory = {
  name: "raw",
  description:
    "createClient(KV, transport) on createTransport({ endpoints: [url] }): put({ key, value }), range({ key }), " +
    "txn({ compare, success: [4 RequestOps], failure: [] }) as object literals per call, keys pre-encoded to Uint8Array once per loop",
  create(url) {
    const transport = createTransport({ endpoints: [url] });
    return { ...rawCalls(transport), close: () => transport.close() };
  },
};

/** The @etcdkit/kv builder layer on etcdkit's transport, with string keys as users write them. */
export const etcdkitKvClient: KvLayerClientFactory = {
  name: "etcdkit-kv",
  description:
    "createKV(transport) from @etcdkit/kv on createTransport({ endpoints: [url] }): kv.put(key, value), kv.get(key), " +
    "kv.txn().if(compare.version(key, \">\", 0)).then(op.put, op.put, op.get, op.delete).commit() built per call, string keys",
  create(url) {
    const transport = createTransport({ endpoints: [url] });
    return { ...etcdkitKvCalls(transport), close: () => transport.close() };
  },
};

/** The etcd3 npm package (on @grpc/grpc-js) with default options and string keys, for reference. */
export const etcd3KvClient: KvLayerClientFactory = {
  name: "etcd3",
  description:
    "the etcd3 npm package (@grpc/grpc-js): client.put(key).value(v), client.get(key).buffer(), " +
    "client.if(key, \"Version\", \">\", 0).then(put, put, get, delete().key()).commit(), string keys",
  create(url) {
    const client = new Etcd3({ hosts: url });
    return {
      put({ key }, value) {
        const buf = value as Buffer;
        return () => client.put(key).value(buf).exec();
      },
      get({ key }) {
        return () => client.get(key).buffer().then((buf) => buf ?? undefined);
      },
      txn4({ key, putA, putB, del }, value) {
        const buf = value as Buffer;
        return () =>
          client
            .if(key, "Version", ">", 0)
            .then(client.put(putA).value(buf), client.put(putB).value(buf), client.get(key), client.delete().key(del))
            .commit()
            .then((res) => res.succeeded);
      },
      close() {
        client.close();
        return Promise.resolve();
      },
    };
  },
};

/** Every client of the kv suite, in table order. */
export const kvLayerClients: readonly KvLayerClientFactory[] = [rawClient, etcdkitKvClient, etcd3KvClient];

/** Looks a kv-suite client up by name; throws with the known names otherwise. */
export function kvLayerClientByName(name: string): KvLayerClientFactory {
  const found = kvLayerClients.find((c) => c.name === name);
  if (found === undefined) {
    throw new Error(`unknown kv client "${name}" (known: ${kvLayerClients.map((c) => c.name).join(", ")})`);
  }
  return found;
}
