import type { RecordedEvent, WatchRequest } from "../history/types.js";

/**
 * Whether a watch request covers `key` (etcd's rules: `prefix` covers every key starting with the
 * key, an empty prefix every key; `end` covers `[key, end)`; `fromKey` every key >= the key).
 * Keys are compared as strings, which is etcd's byte order for the ASCII keys the workloads use.
 *
 * @example
 * ```ts
 * watchCovers({ key: "r/", prefix: true }, "r/3"); // true
 * ```
 */
export function watchCovers(request: WatchRequest, key: string): boolean {
  if (request.prefix === true) return key.startsWith(request.key);
  if (request.fromKey === true) return key >= request.key;
  if (request.end !== undefined) return key >= request.key && (request.end === "\u0000" || key < request.end);
  return key === request.key;
}

/**
 * Whether a watch request delivers `event`: its key is covered and its type not filtered out.
 *
 * @example
 * ```ts
 * watchMatches({ key: "r/", prefix: true, noDelete: true }, deleteEvent); // false
 * ```
 */
export function watchMatches(request: WatchRequest, event: RecordedEvent): boolean {
  if (event.type === "put" && request.noPut === true) return false;
  if (event.type === "delete" && request.noDelete === true) return false;
  return watchCovers(request, event.key);
}
