import { compare, op, type KV } from "@etcdkit/kv";
import { type Bytes, type LeaseId, type Revision } from "@etcdkit/transport";
import { invalidArgumentError } from "@etcdkit/transport/internal";
import type { WaitScope } from "../wait-scope.js";

/**
 * A key and the revision that created it.
 *
 * @example
 * ```ts
 * const { key, revision } = await createUniqueKey(kv, "queue", "job", 0n, scope);
 * ```
 */
export interface CreatedKey {
  readonly key: string;
  readonly revision: Revision;
}

/**
 * Creates a new key `<prefix>/<time and random hex>` with `value` (attached to `lease` unless 0n),
 * only if it did not exist (retrying with another name if it did), as Go's recipes'
 * `newUniqueKV`. Order between such keys is their create revision, not their name.
 *
 * @example
 * ```ts
 * const created = await createUniqueKey(kv, "queues/jobs", "payload", 0n, scope);
 * ```
 */
export async function createUniqueKey(kv: KV, prefix: string, value: Bytes, lease: LeaseId, scope: WaitScope): Promise<CreatedKey> {
  for (;;) {
    const key = `${prefix}/${Date.now().toString(16).padStart(12, "0")}${randomHex(8)}`;
    const result = await kv
      .txn()
      .if(compare.missing(key))
      .then(op.put(key, value, lease === 0n ? undefined : { lease }))
      .commit(scope.callOptions());
    if (result.succeeded) return { key, revision: result.revision };
  }
}

function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return Array.from(buffer, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Creates the next key of the sequence `<prefix>/<16-digit number>` (one more than the last one
 * under `prefix`), as Go's recipes' `newSequentialKV`: a bookkeeping key `__<prefix>` is written
 * in the same txn and guards it, so two writers never create the same number and a number once
 * used is not reused after a delete.
 *
 * @example
 * ```ts
 * const { key } = await createSequentialKey(kv, "pq/00001", "job", scope); // "pq/00001/0000000000000007"
 * ```
 */
export async function createSequentialKey(kv: KV, prefix: string, value: Bytes, scope: WaitScope): Promise<CreatedKey> {
  for (;;) {
    const last = await kv.range(`${prefix}/`, { prefix: true, sort: { target: "key", order: "descend" }, limit: 1, keysOnly: true, ...scope.callOptions() });
    const lastKey = last.kvs[0]?.keyText();
    const parsed = lastKey === undefined ? -1 : Number(lastKey.slice(prefix.length + 1));
    if (!Number.isSafeInteger(parsed)) throw invalidArgumentError(`the key ${lastKey} under ${prefix}/ is not a sequence number`);
    const next = parsed + 1;
    const key = `${prefix}/${String(next).padStart(16, "0")}`;
    const base = `__${prefix}`;
    const result = await kv
      .txn()
      .if(compare.modRevision(base, "<", last.revision + 1n))
      .then(op.put(base, ""), op.put(key, value))
      .commit(scope.callOptions());
    if (result.succeeded) return { key, revision: result.revision };
  }
}
