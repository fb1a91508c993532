import type { MessageInitShape } from "@bufbuild/protobuf";
import type { WatchRequestSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { IdTable } from "./id-table.js";
import { StreamSession } from "@etcdkit/transport/internal";
import { createRequest } from "./watch-create-request.js";
import { SubState, type WatchSubscription } from "./watch-subscription.js";

/**
 * A request on the watch stream, as the generated client takes it.
 *
 * @example
 * ```ts
 * const progress: WatchRequestInit = { requestUnion: { case: "progressRequest", value: {} } };
 * ```
 */
export type WatchRequestInit = MessageInitShape<typeof WatchRequestSchema>;

const progressRequest: WatchRequestInit = { requestUnion: { case: "progressRequest", value: {} } };

/**
 * The state of one open watch stream: its request queue, the server-side watchers it holds
 * (created or being created, until etcd confirms their cancellation), and the creates waiting
 * for their `created` response.
 *
 * Watch IDs are chosen by the client (`watch_id`, honoured since etcd 3.4), so creates are
 * pipelined and a watch can be canceled before its `created` response arrives. etcd answers
 * creates in the order it received them (also refusals, which carry watch ID -1), so responses
 * are matched to creates by order; a server that picked its own ID is followed.
 *
 * @example
 * ```ts
 * const session = new WatchSession();
 * session.create(sub);
 * const responses = client.watch(session.requests, { signal: session.abort.signal });
 * ```
 */
export class WatchSession extends StreamSession<WatchRequestInit> {
  /** Watchers the server has (or is creating) on this stream, by watch ID. */
  readonly byId = new IdTable();

  private creating: (WatchSubscription | undefined)[] = [];
  private creatingHead = 0;
  private nextId = 1;
  private strays: Set<number> | undefined = undefined;

  /** Sends the create request of `sub`, resuming at `sub.nextRevision`. */
  create(sub: WatchSubscription): void {
    const id = this.nextId++;
    sub.id = id;
    sub.state = SubState.Creating;
    this.byId.set(id, sub);
    this.creating.push(sub);
    this.requests.push(createRequest(sub, sub.nextRevision, id));
  }

  /** The watches whose create has not been answered yet, in the order they were sent. */
  pendingCreates(): WatchSubscription[] {
    const pending: WatchSubscription[] = [];
    for (let i = this.creatingHead; i < this.creating.length; i++) {
      const sub = this.creating[i];
      if (sub !== undefined) pending.push(sub);
    }
    return pending;
  }

  /** The subscription whose create the next `created` response answers. */
  shiftCreating(): WatchSubscription | undefined {
    if (this.creatingHead >= this.creating.length) return undefined;
    const sub = this.creating[this.creatingHead];
    this.creating[this.creatingHead] = undefined;
    this.creatingHead++;
    if (this.creatingHead === this.creating.length) {
      this.creating = [];
      this.creatingHead = 0;
    }
    return sub;
  }

  /** Asks etcd to cancel watcher `id`; it stays counted until etcd confirms. */
  cancel(id: number): void {
    this.requests.push({ requestUnion: { case: "cancelRequest", value: { watchId: BigInt(id) } } });
  }

  /**
   * Cancels a watcher this stream does not know (events for an ID nobody owns), once per ID.
   * Returns false if it was canceled already.
   */
  cancelStray(id: number): boolean {
    this.strays ??= new Set();
    if (this.strays.has(id)) return false;
    this.strays.add(id);
    this.cancel(id);
    return true;
  }

  requestProgress(): void {
    this.requests.push(progressRequest);
  }
}
