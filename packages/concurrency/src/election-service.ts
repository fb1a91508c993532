import type { Client, Transport } from "@connectrpc/connect";
import { Election as ElectionRpc } from "@etcdkit/api/v3electionpb/v3election_pb";
import {
  connectCallOptions,
  isBytes,
  toBytes,
  type Bytes,
  type CallOptions,
  type KeyValue,
  type LeaseId,
  type Revision,
} from "@etcdkit/transport";
import {
  checkInt64,
  checkOptionsObject,
  checkTransport,
  createRpcClient,
  invalidArgumentError,
  isAbortSignal,
  keyValueFromMessage,
  toEtcdError,
} from "@etcdkit/transport/internal";
import { checkKey } from "./lock-service.js";

/**
 * A leadership won through etcd's election service: pass it to `proclaim` and `resign`.
 * `revision` is the leader key's create revision (the fencing token).
 *
 * @example
 * ```ts
 * const leader: ServerLeaderKey = await elections.campaign("elections/api", lease.id, "node-1");
 * ```
 */
export interface ServerLeaderKey {
  readonly name: Uint8Array;
  readonly key: Uint8Array;
  readonly revision: Revision;
  readonly lease: LeaseId;
}

/**
 * A thin client of etcd's server-side election service (`v3electionpb.Election`, `etcdctl elect`):
 * the server runs Go's Election with the lease you pass. It has Go's election bugs of its etcd
 * version (a campaign whose lease expired while it waited can still be told it won, as
 * etcd-io/etcd#11456 for locks); `createElection` does not.
 *
 * `campaign` is a unary call that blocks until elected: pass a `timeoutMs` that covers the wait
 * (`Infinity` for none). `observe` is a stream (no deadline) that ends with `signal`.
 * Errors: "election-not-leader" (proclaim / resign without leadership), "election-no-leader"
 * (`leader` when there is none), "lease-not-found", and the transport's.
 *
 * @example
 * ```ts
 * const elections = createElectionService(transport);
 * const leader = await elections.campaign("elections/api", lease.id, "node-1", { timeoutMs: 30_000 });
 * await elections.proclaim(leader, "node-1 v2");
 * await elections.resign(leader);
 * ```
 */
export interface ElectionService {
  campaign(name: Bytes, lease: LeaseId, value: Bytes, options?: CallOptions): Promise<ServerLeaderKey>;
  proclaim(leader: ServerLeaderKey, value: Bytes, options?: CallOptions): Promise<void>;
  leader(name: Bytes, options?: CallOptions): Promise<KeyValue>;
  observe(name: Bytes, options?: { readonly signal?: AbortSignal }): AsyncIterable<KeyValue>;
  resign(leader: ServerLeaderKey, options?: CallOptions): Promise<void>;
}

/**
 * Creates an ElectionService client on `transport`. Throws "invalid-argument" for a non-transport.
 *
 * @example
 * ```ts
 * const elections = createElectionService(transport);
 * ```
 */
export function createElectionService(transport: Transport): ElectionService {
  checkTransport(transport, "createElectionService");
  const client: Client<typeof ElectionRpc> = createRpcClient(ElectionRpc, transport);
  return {
    async campaign(name, lease, value, options) {
      const nameBytes = checkKey(name, "campaign");
      checkInt64(lease, "campaign: lease");
      const valueBytes = checkValue(value, "campaign");
      const call = connectCallOptions(options);
      try {
        const response = await client.campaign({ name: nameBytes, lease, value: valueBytes }, call);
        const leader = response.leader;
        if (leader === undefined) throw invalidArgumentError("campaign: the server answered without a leader key");
        return { name: leader.name, key: leader.key, revision: leader.rev, lease: leader.lease };
      } catch (err) {
        throw toEtcdError(err);
      }
    },
    async proclaim(leader, value, options) {
      const valueBytes = checkValue(value, "proclaim");
      const call = connectCallOptions(options);
      try {
        await client.proclaim({ leader: toMessage(leader), value: valueBytes }, call);
      } catch (err) {
        throw toEtcdError(err);
      }
    },
    async leader(name, options) {
      const nameBytes = checkKey(name, "leader");
      const call = connectCallOptions(options);
      try {
        const response = await client.leader({ name: nameBytes }, call);
        if (response.kv === undefined) throw invalidArgumentError("leader: the server answered without a key-value");
        return keyValueFromMessage(response.kv);
      } catch (err) {
        throw toEtcdError(err);
      }
    },
    observe(name, options) {
      const nameBytes = checkKey(name, "observe");
      checkOptionsObject(options);
      if (options?.signal !== undefined && !isAbortSignal(options.signal)) throw invalidArgumentError("observe: signal must be an AbortSignal");
      return observeStream(client, nameBytes, options?.signal);
    },
    async resign(leader, options) {
      const call = connectCallOptions(options);
      try {
        await client.resign({ leader: toMessage(leader) }, call);
      } catch (err) {
        throw toEtcdError(err);
      }
    },
  };
}

async function* observeStream(client: Client<typeof ElectionRpc>, name: Uint8Array, signal: AbortSignal | undefined): AsyncGenerator<KeyValue> {
  try {
    for await (const response of client.observe({ name }, signal === undefined ? {} : { signal })) {
      if (response.kv !== undefined) yield keyValueFromMessage(response.kv);
    }
  } catch (err) {
    if (signal?.aborted === true) return;
    throw toEtcdError(err);
  }
}

function toMessage(leader: ServerLeaderKey): { name: Uint8Array; key: Uint8Array; rev: bigint; lease: bigint } {
  if (typeof leader !== "object" || leader === null || !(leader.key instanceof Uint8Array) || !(leader.name instanceof Uint8Array)) {
    throw invalidArgumentError("election: expected the leader key a campaign returned");
  }
  return { name: leader.name, key: leader.key, rev: leader.revision, lease: leader.lease };
}

function checkValue(value: unknown, where: string): Uint8Array {
  if (!isBytes(value)) throw invalidArgumentError(`${where}: the value must be a string or a Uint8Array`);
  return toBytes(value);
}
