import { compare, op, type Comparison } from "@etcdkit/kv";
import { bytesEqual, isBytes, toBytes, type Bytes, type KeyValue, type Revision } from "@etcdkit/transport";
import {
  checkCallOptions,
  checkOptionsObject,
  invalidArgumentError,
  isAbortSignal,
  toEtcdError,
} from "@etcdkit/transport/internal";
import { checkName } from "./arguments.js";
import { observeQueue, type LeaderObservation } from "./election-observe.js";
import { noLeaderError, notLeaderError } from "./errors.js";
import { checkSession } from "./mutex.js";
import { cleanUpInBackground, ownership, sessionKey } from "./queue-key.js";
import type { Session } from "./session.js";
import { waitForTurn, type QueueAhead } from "./wait-turn.js";
import { WaitScope, type WaitOptions } from "./wait-scope.js";

/**
 * This candidate's leadership, once `campaign()` won: its key and create revision — the
 * leader's **fencing token**, which grows with every new leader.
 *
 * @example
 * ```ts
 * const { key, revision } = await election.campaign("node-1");
 * ```
 */
export interface Leadership {
  readonly key: string;
  readonly revision: Revision;
  /** The store revision at which the campaign was found won. */
  readonly electedAt: Revision;
}

interface Leading extends Leadership {
  readonly release: () => void;
}

/**
 * Leader election on etcd, as Go's `concurrency.Election`, with the fixes Go lacks. Candidates
 * queue by the create revision of their key `<name>/<lease hex>` (its value is the candidate's
 * proclaimed value); the oldest key leads.
 *
 * - `campaign()` waits for every older candidate to leave (watching only its immediate
 *   predecessor), then re-checks its own key: a candidate whose session ended or whose key was
 *   deleted fails "session-expired" and never believes it leads (etcd-io/etcd#19597).
 * - `proclaim()` fails "election-not-leader" when leadership was lost.
 * - `resign()` keeps its state when the request fails, so it can be retried (etcd-io/etcd#22123).
 * - `observe()` yields every leader change, "no leader" when the last candidate left, and judges
 *   several changes in one watch batch per revision (etcd-io/etcd#18163).
 * - `leader()` fails "election-no-leader" when nobody leads.
 *
 * Leadership rides on the session's lease: a leader that pauses past its TTL loses it without
 * knowing. Guard the leader's writes with `isLeader()` or hand its fencing token to the resource.
 *
 * @example
 * ```ts
 * const election = createElection(session, "elections/api");
 * await election.campaign("node-1", { signal });
 * await kv.txn().if(election.isLeader()).then(op.put("config/owner", "node-1")).commit();
 * await election.resign();
 * ```
 */
export class Election {
  readonly session: Session;
  readonly name: string;
  /** The key this session campaigns with: `<name>/<lease hex>`. */
  readonly key: string;
  private readonly queue: string;
  private state: Leading | undefined;
  private campaigning = false;

  /** @internal Use `createElection`. */
  constructor(session: Session, name: string) {
    this.session = session;
    this.name = name;
    this.queue = `${name}/`;
    this.key = sessionKey(name, session.leaseId);
  }

  /** This candidate's leadership, while it leads (until `resign()`, or a proclaim found it lost). */
  get leadership(): Leadership | undefined {
    return this.state === undefined ? undefined : { key: this.state.key, revision: this.state.revision, electedAt: this.state.electedAt };
  }

  /** True while this candidate believes it leads. Guard writes with `isLeader()` — etcd checks that one. */
  get leading(): boolean {
    return this.state !== undefined;
  }

  /**
   * Campaigns with `value` and resolves once this candidate leads. Calling it while leading
   * proclaims `value` instead.
   *
   * Throws "invalid-argument" (a value that is not bytes or text, malformed options, a campaign
   * already in progress on this Election), "deadline-exceeded" / "canceled" before any I/O;
   * "session-expired" when the session has ended or ends while waiting, or the candidate's key
   * was deleted; "deadline-exceeded" / "canceled" when the wait is cut short (the candidate's key
   * is then removed in the background); and the transport's errors.
   *
   * @example
   * ```ts
   * const { revision } = await election.campaign("node-1", { signal });
   * ```
   */
  async campaign(value: Bytes, options?: WaitOptions): Promise<Leadership> {
    checkValue(value, "campaign");
    if (this.campaigning) throw invalidArgumentError("campaign: this Election is already campaigning");
    if (this.state !== undefined) {
      await this.proclaim(value, options);
      return this.leadership!;
    }
    using scope = WaitScope.open(options, "campaign", this.session);
    this.campaigning = true;
    try {
      const releaseLocal = await this.session.locals.acquire(this.key, (p) => scope.race(p));
      let revision: Revision | undefined;
      try {
        const queued = await this.enqueue(value, scope);
        revision = queued.revision;
        const place = { kv: this.session.kv, watcher: this.session.watcher, queue: this.queue, key: this.key, revision };
        const electedAt = await waitForTurn(place, scope, queued.ahead);
        this.state = { key: this.key, revision, electedAt, release: releaseLocal };
        return this.leadership!;
      } catch (err) {
        cleanUpInBackground(this.session, this.key, revision, releaseLocal);
        throw scope.error(err);
      }
    } finally {
      this.campaigning = false;
    }
  }

  /**
   * Sets a new value as the leader without a new election. Throws "election-not-leader" when this
   * candidate does not lead (never campaigned, resigned, or its key is gone: leadership lost),
   * "invalid-argument" for a bad value or options, and the transport's errors (the leadership is
   * kept then).
   *
   * @example
   * ```ts
   * await election.proclaim("node-1 v2");
   * ```
   */
  async proclaim(value: Bytes, options?: WaitOptions): Promise<void> {
    checkValue(value, "proclaim");
    checkCallOptions(options);
    const state = this.state;
    if (state === undefined) throw notLeaderError(this.name);
    let result;
    try {
      result = await this.session.kv
        .txn()
        .if(ownership(state.key, state.revision))
        .then(op.put(state.key, value, { lease: this.session.leaseId }))
        .commit(options);
    } catch (err) {
      throw toEtcdError(err);
    }
    if (!result.succeeded) {
      this.clear(state);
      throw notLeaderError(this.name);
    }
  }

  /**
   * Gives up leadership (deletes the key, only its own incarnation), so the next candidate leads.
   * Does nothing when not leading. When the request fails the leadership is kept, so `resign()`
   * can be retried safely (the delete is fenced on the key's create revision).
   *
   * @example
   * ```ts
   * await election.resign({ timeoutMs: 2000 });
   * ```
   */
  async resign(options?: WaitOptions): Promise<void> {
    checkCallOptions(options);
    const state = this.state;
    if (state === undefined) return;
    try {
      await this.session.kv.txn().if(ownership(state.key, state.revision)).then(op.delete(state.key)).commit(options);
    } catch (err) {
      throw toEtcdError(err);
    }
    this.clear(state);
  }

  /**
   * The current leader's key-value (`createRevision` is its fencing token, `text()` its value).
   * Throws "election-no-leader" when nobody leads, and the transport's errors.
   *
   * @example
   * ```ts
   * console.log((await election.leader()).text());
   * ```
   */
  async leader(options?: WaitOptions): Promise<KeyValue> {
    checkCallOptions(options);
    let leader: KeyValue | undefined;
    try {
      const result = await this.session.kv.range(this.queue, { prefix: true, sort: { target: "createRevision", order: "ascend" }, limit: 1, ...callOptions(options) });
      leader = result.kvs[0];
    } catch (err) {
      throw toEtcdError(err);
    }
    if (leader === undefined) throw noLeaderError(this.name);
    return leader;
  }

  /**
   * Observes the election: the current leader first, then every change, with `leader: undefined`
   * when nobody leads. Ends quietly on `signal` or `break`. See `LeaderObservation`.
   *
   * @example
   * ```ts
   * for await (const { leader } of election.observe({ signal })) console.log(leader?.text() ?? "no leader");
   * ```
   */
  observe(options?: { readonly signal?: AbortSignal }): AsyncIterable<LeaderObservation> {
    checkOptionsObject(options);
    if (options?.signal !== undefined && !isAbortSignal(options.signal)) throw invalidArgumentError("observe: signal must be an AbortSignal");
    return observeQueue(this.session.watcher, this.queue, options?.signal);
  }

  /**
   * A txn guard that holds while this candidate leads with the leadership it won (its key still
   * exists with the same create revision); it never holds when not leading.
   *
   * @example
   * ```ts
   * await kv.txn().if(election.isLeader()).then(op.put("config/owner", "node-1")).commit();
   * ```
   */
  isLeader(): Comparison {
    return ownership(this.key, this.state?.revision);
  }

  private clear(state: Leading): void {
    if (this.state === state) this.state = undefined;
    state.release();
  }

  /** Puts the candidate's key with its value (or finds it, for an adopted lease) and reads its predecessor: one round trip. */
  private async enqueue(value: Bytes, scope: WaitScope): Promise<{ revision: Revision; ahead: QueueAhead | undefined }> {
    const result = await this.session.kv
      .txn()
      .if(compare.missing(this.key))
      .then(
        op.put(this.key, value, { lease: this.session.leaseId }),
        op.get(this.queue, { prefix: true, sort: { target: "createRevision", order: "descend" }, limit: 2, keysOnly: true }),
      )
      .else(op.get(this.key))
      .commit(scope.callOptions());
    if (result.succeeded) {
      const revision = result.revision;
      return { revision, ahead: { revision, predecessor: result.responses[1].kvs.find((kv) => kv.createRevision < revision) } };
    }
    const existing = result.responses[0].kvs[0];
    if (existing === undefined) throw invalidArgumentError("unreachable: the txn's guard saw the key");
    const revision = existing.createRevision;
    if (!bytesEqual(existing.value, toBytes(value))) {
      const update = await this.session.kv.txn().if(ownership(this.key, revision)).then(op.put(this.key, value, { lease: this.session.leaseId })).commit(scope.callOptions());
      if (!update.succeeded) throw notLeaderError(this.name);
    }
    return { revision, ahead: undefined };
  }
}

function callOptions(options: WaitOptions | undefined): { signal?: AbortSignal; timeoutMs?: number } {
  const out: { signal?: AbortSignal; timeoutMs?: number } = {};
  if (options?.signal !== undefined) out.signal = options.signal;
  if (options?.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  return out;
}

function checkValue(value: unknown, where: string): void {
  if (!isBytes(value)) throw invalidArgumentError(`${where}: the value must be a string or a Uint8Array`);
}


/**
 * Creates an Election named `name` (candidate keys live under `<name>/`) on a session. Throws
 * "invalid-argument" for a non-session or an empty name, before any I/O.
 *
 * @example
 * ```ts
 * const election = createElection(session, "elections/api");
 * await election.campaign("node-1");
 * ```
 */
export function createElection(session: Session, name: string): Election {
  checkSession(session, "createElection");
  return new Election(session, checkName(name, "createElection"));
}
