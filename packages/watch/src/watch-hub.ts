import type { Transport } from "@connectrpc/connect";
import { WatchStream } from "./watch-stream.js";
import type { WatchSubscription } from "./watch-subscription.js";

/**
 * A watcher handle as the hub sees it: the list of its live watches.
 *
 * @example
 * ```ts
 * const owner: WatchOwner = { subs: new WatchList() };
 * ```
 */
export interface WatchOwner {
  readonly subs: Iterable<WatchSubscription> & { readonly size: number };
}

/**
 * Counters of the watch streams of a transport, for tests and diagnostics.
 *
 * @example
 * ```ts
 * watcher.stats.serverWatchers; // watchers etcd holds for this transport (0 after every watch ended)
 * ```
 */
export interface WatchStats {
  /** Watches in progress (not ended). */
  readonly watches: number;
  /** Watchers etcd holds on the current streams: created or being created, not yet confirmed canceled. */
  readonly serverWatchers: number;
  /** Watch streams opened so far (first opens and re-opens, of both kinds of stream). */
  readonly streamsOpened: number;
  /** Responses for watch IDs this client does not own (each gets a cancel). */
  readonly strayResponses: number;
  /** True while every stream that has watches is open and etcd has answered on it. */
  readonly connected: boolean;
}

/**
 * The watch streams of a transport, shared by every watch created on it: one for the watches that
 * require a leader (the default) and one for those that opted out, since the `hasleader` metadata
 * is per stream. Each opens with its first watch and closes with its last one.
 *
 * @example
 * ```ts
 * const hub = new WatchHub(transport);
 * hub.add(owner, subscription);
 * ```
 */
export class WatchHub {
  /** Watchers with live watches (each keeps its own list; the hub keeps no per-watch collection). */
  private readonly owners = new Set<WatchOwner>();
  private readonly led: WatchStream;
  private readonly unled: WatchStream;

  constructor(transport: Transport) {
    this.led = new WatchStream(transport, true, () => this.subs(true));
    this.unled = new WatchStream(transport, false, () => this.subs(false));
  }

  get stats(): WatchStats {
    const streams = [this.led, this.unled];
    const used = streams.filter((s) => s.live > 0);
    return {
      watches: this.led.live + this.unled.live,
      serverWatchers: (this.led.session?.byId.size ?? 0) + (this.unled.session?.byId.size ?? 0),
      streamsOpened: this.led.streamsOpened + this.unled.streamsOpened,
      strayResponses: this.led.strayResponses + this.unled.strayResponses,
      connected: used.length > 0 && used.every((s) => s.connected),
    };
  }

  /** Starts a watch that `owner` already holds in its list. */
  add(owner: WatchOwner, sub: WatchSubscription): void {
    this.owners.add(owner);
    this.streamOf(sub).add(sub);
  }

  /** A watch ended and `owner` removed it from its list. */
  released(owner: WatchOwner, sub: WatchSubscription): void {
    if (owner.subs.size === 0) this.owners.delete(owner);
    this.streamOf(sub).released(sub);
  }

  /** Asks etcd for a progress notification on every watch (no-op for a stream being re-opened). */
  requestProgress(): void {
    this.led.requestProgress();
    this.unled.requestProgress();
  }

  private streamOf(sub: WatchSubscription): WatchStream {
    return sub.requireLeader ? this.led : this.unled;
  }

  /** The live watches that (do not) require a leader. */
  private *subs(requireLeader: boolean): Generator<WatchSubscription> {
    for (const owner of this.owners) {
      for (const sub of owner.subs) if (sub.requireLeader === requireLeader) yield sub;
    }
  }
}
