import type { WatchRecord } from "../history/types.js";
import { watchMatches } from "./key-range.js";
import { createViolationList, type Violation } from "./violation.js";

/**
 * The guarantees of one watch that need no log (etcd's API guarantees for watches):
 * - "watch-filter": every event is in the watched range and of a type not filtered out;
 * - "watch-ordered": event revisions never go back;
 * - "watch-unique": no (revision, key) is delivered twice;
 * - "watch-atomic": a revision is never split across batches (a batch never starts with the
 *   revision the previous batch ended with);
 * - "watch-bookmarkable": nothing at or below a progress notification's revision comes after
 *   it, and a progress notification never goes below a delivered event.
 *
 * @example
 * ```ts
 * const violations = checkWatchOrder(watch);
 * ```
 */
export function checkWatchOrder(watch: WatchRecord): Violation[] {
  const found = createViolationList(3);
  const add = (kind: string, message: string): void => {
    found.add({ kind, message: `watch ${watch.id} (${describeRequest(watch)}): ${message}`, records: [watch.id] });
  };
  let lastEvent = 0n;
  let lastProgress = 0n;
  const seen = new Set<string>();
  for (const batch of watch.batches) {
    if (batch.progress) {
      if (batch.revision < lastEvent) add("watch-bookmarkable", `progress notification at ${batch.revision} after an event at ${lastEvent}`);
      if (batch.revision > lastProgress) lastProgress = batch.revision;
      continue;
    }
    const first = batch.events[0];
    if (first !== undefined && lastEvent !== 0n && first.modRevision === lastEvent) {
      add("watch-atomic", `revision ${lastEvent} was split across two batches`);
    }
    for (const e of batch.events) {
      if (!watchMatches(watch.request, e)) add("watch-filter", `${e.type} of ${e.key} at ${e.modRevision} is outside the watch's range or filters`);
      if (e.modRevision < lastEvent) add("watch-ordered", `revision ${e.modRevision} delivered after ${lastEvent}`);
      if (e.modRevision <= lastProgress) add("watch-bookmarkable", `event at ${e.modRevision} delivered after a progress notification at ${lastProgress}`);
      const id = `${e.modRevision}|${e.key}`;
      if (seen.has(id)) add("watch-unique", `${e.type} of ${e.key} at revision ${e.modRevision} delivered twice`);
      seen.add(id);
      if (e.modRevision > lastEvent) lastEvent = e.modRevision;
    }
  }
  return found.items;
}

/**
 * A watch's request for messages.
 *
 * @example
 * ```ts
 * describeRequest(watch); // "prefix r/ from 12, prevKv"
 * ```
 */
export function describeRequest(watch: WatchRecord): string {
  const r = watch.request;
  const range = r.prefix ? `prefix ${r.key || "(all)"}` : r.fromKey ? `from key ${r.key}` : r.end !== undefined ? `[${r.key}, ${r.end})` : `key ${r.key}`;
  const flags = [r.prevKv && "prevKv", r.noPut && "noPut", r.noDelete && "noDelete", r.progressNotify && "progressNotify"].filter(Boolean);
  const from = r.startRevision !== undefined ? ` from ${r.startRevision}` : watch.created !== undefined ? ` created at ${watch.created}` : "";
  return `${range}${from}${flags.length > 0 ? `, ${flags.join(", ")}` : ""}`;
}
