/**
 * `@etcdkit/concurrency`: sessions, locks with fencing tokens, leader election, STM and recipes on
 * etcd, built on the public API of `@etcdkit/kv`, `@etcdkit/watch` and `@etcdkit/lease`. It does
 * what Go's `client/v3/concurrency` and `experimental/recipes` do, without their known bugs.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createMutex, createSession } from "@etcdkit/concurrency";
 *
 * const transport = createTransport({ endpoints: ["http://127.0.0.1:2379"] });
 * await using session = await createSession(transport, { ttl: 10 });
 * await using held = await createMutex(session, "locks/orders").lock({ timeoutMs: 5_000 });
 * console.log("fencing token", held.revision);
 * ```
 */
export { createSession, DEFAULT_SESSION_TTL, Session, type SessionLoss, type SessionLossReason, type SessionOptions } from "./session.js";
export { createMutex, Mutex } from "./mutex.js";
export { HeldLock } from "./held-lock.js";
export type { WaitOptions } from "./wait-scope.js";
export { createElection, Election, type Leadership } from "./election.js";
export type { LeaderObservation } from "./election-observe.js";
export { runSTM, type Isolation, type STM, type STMOptions, type STMResult } from "./stm.js";
export { createBarrier, type Barrier } from "./recipes/barrier.js";
export { createDoubleBarrier, type DoubleBarrier } from "./recipes/double-barrier.js";
export { createQueue, type Queue, type QueueItem } from "./recipes/queue.js";
export { createPriorityQueue, type PriorityQueue } from "./recipes/priority-queue.js";
export { createRWMutex, type RWMutex } from "./recipes/rw-mutex.js";
export { waitEvents, type WaitEventsOptions } from "./recipes/wait-events.js";
export type { CreatedKey } from "./recipes/unique-key.js";
export { createLockService, type LockService, type ServerLock } from "./lock-service.js";
export { createElectionService, type ElectionService, type ServerLeaderKey } from "./election-service.js";
