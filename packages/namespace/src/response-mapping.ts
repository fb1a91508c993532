import { hasPrefix, stripKey } from "./key-mapping.js";

/**
 * Response messages as a transport hands them out. They are decoded afresh for every call, so
 * the namespace is stripped in place: no copy of the message or of any key's bytes.
 */
type Message = Record<string, unknown>;
type KeyValueMessage = { key: Uint8Array };

function stripKv(namespace: Uint8Array, kv: KeyValueMessage | undefined): void {
  if (kv !== undefined) kv.key = stripKey(namespace, kv.key);
}

/**
 * Strips the namespace from a Range response's key-values.
 *
 * @example
 * ```ts
 * stripRangeResponse(ns, response.message); // kvs[i].key: "app/a" → "a"
 * ```
 */
export function stripRangeResponse(namespace: Uint8Array, message: Message): void {
  for (const kv of (message.kvs as KeyValueMessage[] | undefined) ?? []) stripKv(namespace, kv);
}

/**
 * Strips the namespace from a Put response's previous key-value.
 *
 * @example
 * ```ts
 * stripPutResponse(ns, response.message);
 * ```
 */
export function stripPutResponse(namespace: Uint8Array, message: Message): void {
  stripKv(namespace, message.prevKv as KeyValueMessage | undefined);
}

/**
 * Strips the namespace from a DeleteRange response's previous key-values.
 *
 * @example
 * ```ts
 * stripDeleteResponse(ns, response.message);
 * ```
 */
export function stripDeleteResponse(namespace: Uint8Array, message: Message): void {
  for (const kv of (message.prevKvs as KeyValueMessage[] | undefined) ?? []) stripKv(namespace, kv);
}

/**
 * Strips the namespace from every response of a Txn (nested txns too).
 *
 * @example
 * ```ts
 * stripTxnResponse(ns, response.message);
 * ```
 */
export function stripTxnResponse(namespace: Uint8Array, message: Message): void {
  for (const op of (message.responses as Message[] | undefined) ?? []) {
    const response = op.response as { case?: string; value?: Message } | undefined;
    if (response?.value === undefined) continue;
    switch (response.case) {
      case "responseRange":
        stripRangeResponse(namespace, response.value);
        break;
      case "responsePut":
        stripPutResponse(namespace, response.value);
        break;
      case "responseDeleteRange":
        stripDeleteResponse(namespace, response.value);
        break;
      case "responseTxn":
        stripTxnResponse(namespace, response.value);
        break;
    }
  }
}

/**
 * Strips the namespace from the keys of a Watch response's events (and their previous
 * key-values).
 *
 * @example
 * ```ts
 * for await (const message of responses) stripWatchResponse(ns, message);
 * ```
 */
export function stripWatchResponse(namespace: Uint8Array, message: Message): void {
  for (const event of (message.events as Message[] | undefined) ?? []) {
    stripKv(namespace, event.kv as KeyValueMessage | undefined);
    stripKv(namespace, event.prevKv as KeyValueMessage | undefined);
  }
}

/**
 * Keeps only the keys of a LeaseTimeToLive response that are inside the namespace, without the
 * namespace (a lease can carry keys of several namespaces; Go's namespace package does the same).
 *
 * @example
 * ```ts
 * stripLeaseKeys(ns, response.message); // keys: ["app/a", "other/b"] → ["a"]
 * ```
 */
export function stripLeaseKeys(namespace: Uint8Array, message: Message): void {
  const keys = message.keys as Uint8Array[] | undefined;
  if (keys === undefined || keys.length === 0) return;
  message.keys = keys.filter((key) => hasPrefix(namespace, key)).map((key) => stripKey(namespace, key));
}

/**
 * Strips the namespace from a server-side lock's key (Lock response).
 *
 * @example
 * ```ts
 * stripLockResponse(ns, response.message); // key: "app/locks/a/694d…" → "locks/a/694d…"
 * ```
 */
export function stripLockResponse(namespace: Uint8Array, message: Message): void {
  if (message.key instanceof Uint8Array) message.key = stripKey(namespace, message.key);
}

/**
 * Strips the namespace from an election response: a Campaign's leader key (name and key), a
 * Leader or Observe answer's key-value.
 *
 * @example
 * ```ts
 * stripElectionResponse(ns, response.message);
 * ```
 */
export function stripElectionResponse(namespace: Uint8Array, message: Message): void {
  const leader = message.leader as { name: Uint8Array; key: Uint8Array } | undefined;
  if (leader !== undefined) {
    leader.name = stripKey(namespace, leader.name);
    leader.key = stripKey(namespace, leader.key);
  }
  stripKv(namespace, message.kv as KeyValueMessage | undefined);
}
