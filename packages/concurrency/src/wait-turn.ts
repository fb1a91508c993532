import { op, type KV } from "@etcdkit/kv";
import { isEtcdError, type KeyValue, type Revision } from "@etcdkit/transport";
import type { Watch, Watcher } from "@etcdkit/watch";
import { sessionExpiredError } from "./errors.js";
import type { WaitScope } from "./wait-scope.js";

/**
 * A place in a queue of keys ordered by create revision (a mutex's or an election's waiters):
 * the queue's key prefix, the caller's own key and its create revision.
 *
 * @example
 * ```ts
 * const place: QueuePlace = { kv, watcher, queue: "locks/orders/", key: "locks/orders/694d...", revision: 42n };
 * ```
 */
export interface QueuePlace {
  readonly kv: KV;
  readonly watcher: Watcher;
  /** The prefix every key of the queue starts with (e.g. "locks/orders/"). */
  readonly queue: string;
  readonly key: string;
  /** The create revision of `key`: the caller's place (and fencing token). */
  readonly revision: Revision;
}

/**
 * What one read of the queue says: the newest key created before the caller's (its immediate
 * predecessor), at `revision`.
 *
 * @example
 * ```ts
 * const ahead: QueueAhead = { revision: 45n, predecessor: undefined }; // the caller is first
 * ```
 */
export interface QueueAhead {
  readonly revision: Revision;
  readonly predecessor: KeyValue | undefined;
}

/**
 * Waits until no key older than the caller's remains in the queue, and returns the revision at
 * which that was read. Only the immediate predecessor is watched (no herd: one release wakes one
 * waiter), and nothing that happens after the read that found it is missed (see
 * `waitForPredecessor`). When it is deleted the queue is read again at that delete's revision: a
 * predecessor that left while older keys remain (a waiter whose session ended) only moves the
 * caller up one place.
 *
 * The caller's own key is checked in every read and watched while waiting: when it is gone or is
 * no longer the incarnation created at `place.revision` (its lease expired, someone deleted it),
 * the wait fails at once with "session-expired" — it can never own what it waited for.
 * The scope's signal ends the wait with the scope's error.
 *
 * @example
 * ```ts
 * const heldAt = await waitForTurn(place, scope, firstRead);
 * ```
 */
export async function waitForTurn(place: QueuePlace, scope: WaitScope, first?: QueueAhead): Promise<Revision> {
  let ahead = first ?? (await readAhead(place, scope, undefined));
  for (;;) {
    if (ahead.predecessor === undefined) return ahead.revision;
    ahead = await waitForPredecessor(place, scope, ahead);
  }
}

/**
 * Reads the caller's predecessor and own key in one request. With `atRevision` (the revision at
 * which the previous predecessor was deleted) the read is serializable at that revision —
 * answered by the nearest member without a consensus round, and exact — falling back to a
 * linearizable read when the member has not applied it yet or it was compacted.
 * Throws "session-expired" when the own key is not the caller's incarnation.
 *
 * @example
 * ```ts
 * const { revision, predecessor } = await readAhead(place, scope, deletedAt);
 * ```
 */
export async function readAhead(place: QueuePlace, scope: WaitScope, atRevision: Revision | undefined): Promise<QueueAhead> {
  let seen;
  // The revision the read's data is at: a read at a past revision answers with the current
  // revision in its header, but its data is as of `atRevision` — a watch must start right after it.
  let seenAt = atRevision;
  try {
    seen = await readOnce(place, scope, atRevision);
  } catch (err) {
    if (atRevision === undefined || !isEtcdError(err, ["future-revision", "compacted"])) throw scope.error(err);
    seenAt = undefined;
    try {
      seen = await readOnce(place, scope, undefined);
    } catch (retryErr) {
      throw scope.error(retryErr);
    }
  }
  if (!seen.mine) throw sessionExpiredError(`the key ${place.key} (create revision ${place.revision}) is gone`);
  return { revision: seenAt ?? seen.revision, predecessor: seen.predecessor };
}

/** What one read of the queue found: the own key's incarnation, the predecessor, the header revision. */
interface QueueRead {
  readonly mine: boolean;
  readonly predecessor: KeyValue | undefined;
  readonly revision: Revision;
}

function pinnedTo(atRevision: Revision | undefined): { revision?: Revision; serializable?: boolean } {
  return atRevision === undefined ? {} : { revision: atRevision, serializable: true };
}

/**
 * One read of the queue. When the own key is in the queue's range (a Mutex's or an Election's
 * key), one Range does it: the queue's keys created at or before the own key, newest first, two
 * of them. The own incarnation, if it still exists, has the highest create revision of them, so
 * it comes first and the predecessor second; a first key created earlier means the own key is
 * gone (or is a newer incarnation, which the range leaves out). Two keys created in one revision
 * tie and etcd may return them in either order: only a txn that created the own key together
 * with another key of the queue (never this package's) makes that possible, and then the read
 * is made again the other way. That way — or when the own key lies outside the queue's range (an
 * RWMutex reader waits on the writers only) — the read is a txn of two ranges: the newest key
 * created before the own key, and the own key.
 */
async function readOnce(place: QueuePlace, scope: WaitScope, atRevision: Revision | undefined): Promise<QueueRead> {
  const pinned = pinnedTo(atRevision);
  if (place.key.startsWith(place.queue)) {
    const { kvs, revision } = await place.kv.getPrefix(place.queue, {
      maxCreateRevision: place.revision,
      sort: { target: "createRevision", order: "descend" },
      limit: 2,
      keysOnly: true,
      ...pinned,
      ...scope.callOptions(),
    });
    const [first, second] = kvs;
    const tie = (first !== undefined && first.createRevision === place.revision && first.keyText() !== place.key) || second?.createRevision === place.revision;
    if (!tie) {
      if (first === undefined || first.createRevision !== place.revision) return { mine: false, predecessor: undefined, revision };
      return { mine: true, predecessor: second, revision };
    }
  }
  const result = await place.kv
    .txn()
    .then(
      op.get(place.queue, {
        prefix: true,
        maxCreateRevision: place.revision - 1n,
        sort: { target: "createRevision", order: "descend" },
        limit: 1,
        keysOnly: true,
        ...pinned,
      }),
      op.get(place.key, { keysOnly: true, ...pinned }),
    )
    .commit(scope.callOptions());
  if (!result.succeeded) throw new Error("unreachable: a txn without guards always succeeds");
  const [older, own] = result.responses;
  return { mine: own.kvs[0]?.createRevision === place.revision, predecessor: older.kvs[0], revision: older.revision };
}

/**
 * Waits for the predecessor found by `ahead` to be deleted and returns the queue as read at that
 * delete's revision. Fails "session-expired" when the caller's own key is deleted first, and
 * with the scope's error when the scope ends.
 *
 * Both watches start at the server's current revision, so etcd delivers their events at once (a
 * watch that starts at a past revision is caught up by a loop that runs every 100 ms). Once
 * they are registered, a change between the read and their start is ruled out by reading the
 * queue again at the revision they start after, when writes happened in between: a predecessor
 * or own key gone by then is seen in that read, anything later by the watches.
 *
 * The hand-off path — the predecessor's delete event to the returned read — is one request: the
 * read at the delete's revision goes out before anything else (the watches are canceled after the
 * caller has its answer). That read cannot be left out: the delete event alone says neither that
 * no older key remains (the predecessor may have been a waiter whose session ended) nor that the
 * own key still exists at that revision. etcd orders events per watch only; across the watches of
 * one stream it may deliver a later revision first (a watch whose send found the stream's buffer
 * full is moved aside and caught up later, as is every watch resumed after a reconnect), so
 * the absence of an own-key delete event when the predecessor's arrives proves nothing.
 */
async function waitForPredecessor(place: QueuePlace, scope: WaitScope, ahead: QueueAhead): Promise<QueueAhead> {
  const predecessorKey = ahead.predecessor!.keyText();
  const predecessor = place.watcher.watch(predecessorKey, { noPut: true, signal: scope.signal });
  const own = place.watcher.watch(place.key, { noPut: true, signal: scope.signal });
  try {
    const [predecessorFrom, ownFrom] = await scope.race(Promise.all([predecessor.ready, own.ready]));
    const watchedAfter = predecessorFrom > ownFrom ? predecessorFrom : ownFrom;
    if (watchedAfter > ahead.revision) {
      const now = await readAhead(place, scope, watchedAfter);
      const still = now.predecessor;
      if (still === undefined || still.keyText() !== predecessorKey || still.createRevision !== ahead.predecessor!.createRevision) return now;
    }
    const first = await Promise.race([
      firstDelete(predecessor).then((revision) => ({ own: false, revision })),
      firstDelete(own).then((revision) => ({ own: true, revision })),
    ]);
    scope.throwIfAborted();
    if (first.own) throw sessionExpiredError(`the key ${place.key} was deleted while it waited`);
    return await readAhead(place, scope, first.revision);
  } catch (err) {
    throw scope.error(err);
  } finally {
    // Off the hand-off path: a cancel is a message on the shared stream, nothing waits for it.
    setTimeout(() => {
      predecessor.cancel();
      own.cancel();
    }, 0);
  }
}

/**
 * The revision of the first delete event of `watch`; undefined when it ends quietly (canceled).
 * It leaves the watch open (no `return()`, which would cancel it first): the caller cancels it.
 */
async function firstDelete(watch: Watch): Promise<Revision | undefined> {
  for (;;) {
    const next = await watch.next();
    if (next.done === true) return undefined;
    for (const event of next.value.events) if (event.type === "delete") return event.kv.modRevision;
  }
}
