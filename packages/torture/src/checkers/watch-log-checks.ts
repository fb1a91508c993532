import type { RecordedEvent, WatchRecord } from "../history/types.js";
import { watchMatches } from "./key-range.js";
import type { RevisionLog } from "./revision-log.js";
import { createViolationList, type Violation } from "./violation.js";
import { describeRequest } from "./watch-order-checks.js";

/**
 * The guarantees of one watch checked against the log:
 * - "watch-reliable": from its first expected revision (its start revision, or the revision
 *   it was created at + 1) to the last revision it reached, it delivered exactly the log's
 *   matching events, in order;
 * - "watch-resumable": after each new stream (a reconnect) and at its start revision, the
 *   first event is the log's first matching event after what was delivered before;
 * - "watch-prevkv": a `prevKv` is the key's state just before the event;
 * - "watch-iscreate": `isCreate` is true exactly when the key did not exist before.
 *
 * @example
 * ```ts
 * const violations = checkWatchAgainstLog(watch, log);
 * ```
 */
export function checkWatchAgainstLog(watch: WatchRecord, log: RevisionLog): Violation[] {
  const found = createViolationList(3);
  const add = (kind: string, message: string): void => {
    found.add({ kind, message: `watch ${watch.id} (${describeRequest(watch)}): ${message}`, records: [watch.id] });
  };
  const first = watch.request.startRevision ?? (watch.created !== undefined ? watch.created + 1n : undefined);
  let lastReached = 0n;
  const delivered: RecordedEvent[] = [];
  for (const b of watch.batches) {
    if (b.revision > lastReached) lastReached = b.revision;
    delivered.push(...b.events);
  }
  if (watch.end.through !== undefined && watch.end.through > lastReached) lastReached = watch.end.through;
  if (first === undefined || lastReached < first || !log.covers(lastReached)) return found.items;

  const expected = matchingEvents(log, watch, first, lastReached);
  const n = Math.max(expected.length, delivered.length);
  for (let i = 0; i < n; i++) {
    const want = expected[i];
    const got = delivered[i];
    if (want !== undefined && got !== undefined && sameEvent(want, got)) continue;
    add(
      "watch-reliable",
      want === undefined
        ? `delivered ${describeEvent(got!)} beyond the log's ${expected.length} matching events`
        : got === undefined
          ? `stopped after ${delivered.length} events; the log has ${expected.length} up to revision ${lastReached} (first missing: ${describeEvent(want)})`
          : `event ${i + 1} is ${describeEvent(got)}, the log has ${describeEvent(want)}`,
    );
    break;
  }

  // Resumable: after every stream change, and at an explicit start revision.
  let after = first - 1n;
  let stream: number | undefined;
  let sawEvent = false;
  for (const b of watch.batches) {
    const resumed = stream !== undefined && b.stream !== stream;
    stream = b.stream;
    const head = b.events[0];
    const atStart = !sawEvent && watch.request.startRevision !== undefined;
    if (head !== undefined) sawEvent = true;
    if (head !== undefined && (resumed || atStart)) {
      const want = nextMatching(log, watch, after + 1n, lastReached);
      if (want === undefined || !sameEvent(want, head)) {
        add(
          "watch-resumable",
          `${resumed ? "after a reconnect" : `at start revision ${watch.request.startRevision}`} the first event is ${describeEvent(head)}; ` +
            `the log's next matching event after revision ${after} is ${want ? describeEvent(want) : "none"}`,
        );
      }
    }
    if (b.revision > after) after = b.revision;
  }

  for (const e of delivered) {
    if (e.modRevision < 2n || !log.covers(e.modRevision)) continue;
    const before = log.stateAt(e.key, e.modRevision - 1n);
    if (before === undefined) continue;
    if (e.type === "put" && e.isCreate !== (before === null)) {
      add("watch-iscreate", `${describeEvent(e)} has isCreate ${e.isCreate}, but the key ${before === null ? "did not exist" : "existed"} before`);
    }
    if (watch.request.prevKv === true && e.prevValue !== undefined) {
      if (before === null || before.value !== e.prevValue || (e.prevModRevision !== undefined && before.modRevision !== e.prevModRevision)) {
        add(
          "watch-prevkv",
          `${describeEvent(e)} carries prevKv ${JSON.stringify(e.prevValue)} (mod ${e.prevModRevision}), the key was ${
            before === null ? "absent" : `${JSON.stringify(before.value)} (mod ${before.modRevision})`
          }`,
        );
      }
    }
  }
  return found.items;
}

function matchingEvents(log: RevisionLog, watch: WatchRecord, from: bigint, to: bigint): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  for (let r = from < 2n ? 2n : from; r <= to; r++) for (const e of log.eventsAt(r)) if (watchMatches(watch.request, e)) out.push(e);
  return out;
}

function nextMatching(log: RevisionLog, watch: WatchRecord, from: bigint, to: bigint): RecordedEvent | undefined {
  for (let r = from < 2n ? 2n : from; r <= to; r++) for (const e of log.eventsAt(r)) if (watchMatches(watch.request, e)) return e;
  return undefined;
}

function sameEvent(a: RecordedEvent, b: RecordedEvent): boolean {
  if (a.type !== b.type || a.key !== b.key || a.modRevision !== b.modRevision) return false;
  return a.type === "delete" || (a.value === b.value && a.createRevision === b.createRevision && a.version === b.version);
}

function describeEvent(e: RecordedEvent): string {
  return `${e.type} ${e.key}${e.type === "put" ? `=${e.value}` : ""} at ${e.modRevision}`;
}
