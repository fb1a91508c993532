import type { Client, Transport } from "@connectrpc/connect";
import { Lock } from "@etcdkit/api/v3lockpb/v3lock_pb";
import {
  connectCallOptions,
  isBytes,
  toBytes,
  type Bytes,
  type CallOptions,
  type LeaseId,
  type Revision,
} from "@etcdkit/transport";
import { checkInt64, checkTransport, createRpcClient, emptyKeyError, invalidArgumentError, toEtcdError } from "@etcdkit/transport/internal";

/**
 * The lock a `LockService.lock` call acquired: the ownership key etcd created (delete it, or
 * pass it to `unlock`, to release the lock) and the response revision.
 *
 * @example
 * ```ts
 * const { key, revision } = await locks.lock("locks/orders", lease.id, { timeoutMs: Infinity });
 * ```
 */
export interface ServerLock {
  readonly key: Uint8Array;
  readonly revision: Revision;
}

/**
 * A thin client of etcd's server-side lock service (`v3lockpb.Lock`, `etcdctl lock`): the server
 * runs Go's Mutex for you, with the lease you pass.
 *
 * Caveat: etcd 3.4's server-side lock has the bug of etcd-io/etcd#11456 — it does not re-check
 * the waiter's lease after waiting, so a caller whose lease expired while it waited is told it
 * holds the lock. `createMutex` re-checks and fails "session-expired". The server lock also
 * gives no fencing token beyond the key's create revision (read it with a get).
 *
 * `lock` is a unary call that blocks until the lock is free: pass a `timeoutMs` that covers the
 * wait (`Infinity` for none), or a transport default deadline ends it.
 *
 * @example
 * ```ts
 * const locks = createLockService(transport);
 * const { key } = await locks.lock("locks/orders", lease.id, { timeoutMs: 30_000 });
 * await locks.unlock(key);
 * ```
 */
export interface LockService {
  /** Waits for and acquires the lock `name` for `lease`. Throws "lease-not-found", deadline and transport errors. */
  lock(name: Bytes, lease: LeaseId, options?: CallOptions): Promise<ServerLock>;
  /** Releases a lock by its ownership key (deletes the key). */
  unlock(key: Uint8Array, options?: CallOptions): Promise<void>;
}

/**
 * Creates a LockService client on `transport`. Throws "invalid-argument" for a non-transport.
 *
 * @example
 * ```ts
 * const locks = createLockService(transport);
 * ```
 */
export function createLockService(transport: Transport): LockService {
  checkTransport(transport, "createLockService");
  const client: Client<typeof Lock> = createRpcClient(Lock, transport);
  return {
    async lock(name, lease, options) {
      const nameBytes = checkKey(name, "lock");
      checkInt64(lease, "lock: lease");
      const call = connectCallOptions(options);
      try {
        const response = await client.lock({ name: nameBytes, lease }, call);
        return { key: response.key, revision: response.header?.revision ?? 0n };
      } catch (err) {
        throw toEtcdError(err);
      }
    },
    async unlock(key, options) {
      const keyBytes = checkKey(key, "unlock");
      const call = connectCallOptions(options);
      try {
        await client.unlock({ key: keyBytes }, call);
      } catch (err) {
        throw toEtcdError(err);
      }
    },
  };
}

/**
 * A non-empty key or name as bytes; "empty-key" / "invalid-argument" before any I/O otherwise.
 *
 * @example
 * ```ts
 * const bytes = checkKey("locks/orders", "lock");
 * ```
 */
export function checkKey(key: unknown, where: string): Uint8Array {
  if (!isBytes(key)) throw invalidArgumentError(`${where}: the name must be a string or a Uint8Array`);
  const bytes = toBytes(key);
  if (bytes.length === 0) throw emptyKeyError();
  return bytes;
}
