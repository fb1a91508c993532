import type { ResponseHeader, Revision } from "@etcdkit/transport";
import { ReadableRecord } from "@etcdkit/transport/internal";
import type * as W from "./watch-event.js";

/**
 * The object behind `WatchBatch` values, named so for `console.log`: frozen, and serializable
 * with `JSON.stringify` (revisions as decimal strings, keys and values as text or `{ base64 }`).
 *
 * @example
 * ```ts
 * new WatchBatch(events, revision, false, toResponseHeader(response.header));
 * ```
 */
export class WatchBatch extends ReadableRecord implements W.WatchBatch {
  readonly events: readonly W.WatchEvent[];
  readonly revision: Revision;
  readonly progress: boolean;
  readonly header: ResponseHeader;

  constructor(events: readonly W.WatchEvent[], revision: Revision, progress: boolean, header: ResponseHeader) {
    super();
    this.events = events;
    this.revision = revision;
    this.progress = progress;
    this.header = header;
    Object.freeze(this);
  }
}
