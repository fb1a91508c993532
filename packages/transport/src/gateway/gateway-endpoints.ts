import { monotonicNow } from "../clock.js";
import { unavailableError } from "../call/call-errors.js";
import type { EtcdError } from "../errors/etcd-error.js";
import type { TransportEventListener } from "../observe/transport-events.js";

/** First and largest pause of an endpoint after a connection failure. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

/**
 * The endpoints of a gateway transport: calls go round-robin to endpoints that are not backing
 * off; an endpoint whose connection failed backs off (100 ms doubling to 2 s) while calls use the
 * others. When every endpoint backs off, the one whose pause ends first is used (fetch has no
 * connections to keep: trying one is the only way to learn it is back). With a listener, the
 * first failure of an endpoint is reported as `endpoint-down` and its next answer as `endpoint-up`
 * (a reconnect).
 *
 * @example
 * ```ts
 * const endpoints = new GatewayEndpoints(["http://a:2379", "http://b:2379"]);
 * const url = endpoints.pick();
 * endpoints.failed(url); // the next pick prefers the other one
 * ```
 */
export class GatewayEndpoints {
  private next = 0;
  private readonly backoff = new Map<string, { until: number; failures: number }>();

  constructor(
    readonly urls: readonly string[],
    private readonly emit?: TransportEventListener | undefined,
  ) {}

  /** The endpoint for the next attempt. */
  pick(): string {
    const now = monotonicNow();
    for (let i = 0; i < this.urls.length; i++) {
      const url = this.urls[(this.next + i) % this.urls.length]!;
      const pause = this.backoff.get(url);
      if (pause === undefined || pause.until <= now) {
        this.next = (this.next + i + 1) % this.urls.length;
        return url;
      }
    }
    let best = this.urls[0]!;
    for (const url of this.urls) if (this.backoff.get(url)!.until < this.backoff.get(best)!.until) best = url;
    return best;
  }

  /** A request to `url` could not connect or lost its connection (`error`, when known). */
  failed(url: string, error?: EtcdError): void {
    const failures = (this.backoff.get(url)?.failures ?? 0) + 1;
    if (failures === 1 && this.emit !== undefined) {
      this.emit({
        type: "endpoint-down",
        endpoint: url,
        cause: "connection-lost",
        error: error ?? unavailableError(`a request to ${url} could not connect or lost its connection`),
      });
    }
    const pause = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1));
    this.backoff.set(url, { until: monotonicNow() + pause, failures });
  }

  /** `url` answered. */
  succeeded(url: string): void {
    if (this.backoff.size > 0 && this.backoff.delete(url)) this.emit?.({ type: "endpoint-up", endpoint: url, reconnect: true });
  }
}
