import { compare, op, type Comparison, type DeleteOp, type PutOp, type RangeResult } from "@etcdkit/kv";
import type { KeyValue, Revision } from "@etcdkit/transport";

/**
 * What an STM attempt read: per key, the key-value (undefined when missing) and the store
 * revision of the read that returned it.
 *
 * @example
 * ```ts
 * const reads = new ReadSet();
 * reads.add("a", rangeResult);
 * reads.guards(); // [modRevision("a") = <its mod revision>]
 * ```
 */
export class ReadSet {
  private readonly entries = new Map<string, { kv: KeyValue | undefined; revision: Revision }>();

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): KeyValue | undefined {
    return this.entries.get(key)?.kv;
  }

  add(key: string, result: RangeResult): void {
    this.entries.set(key, { kv: result.kvs[0], revision: result.revision });
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The store revision of the earliest read (the snapshot the attempt read from), if any. */
  first(): Revision | undefined {
    let first: Revision | undefined;
    for (const { revision } of this.entries.values()) if (first === undefined || revision < first) first = revision;
    return first;
  }

  /** Guards that every key read is unchanged since it was read (mod revision equal; 0 for a key that was missing). */
  guards(): Comparison[] {
    return [...this.entries].map(([key, { kv }]) => compare.modRevision(key, "=", kv?.modRevision ?? 0n));
  }
}

/**
 * What an STM attempt will write: per key, a put (with its value, as read back by `get`) or a
 * delete. The last write of a key wins.
 *
 * @example
 * ```ts
 * const writes = new WriteSet();
 * writes.put("a", "1", op.put("a", "1"));
 * writes.ops(); // [op.put("a", "1")]
 * ```
 */
export class WriteSet {
  private readonly entries = new Map<string, { value: string; op: PutOp | DeleteOp }>();

  get size(): number {
    return this.entries.size;
  }

  /** The value a write of `key` left ("" for a delete), or undefined when `key` was not written. */
  value(key: string): string | undefined {
    return this.entries.get(key)?.value;
  }

  put(key: string, value: string, put: PutOp): void {
    this.entries.set(key, { value, op: put });
  }

  delete(key: string): void {
    this.entries.set(key, { value: "", op: op.delete(key) });
  }

  ops(): (PutOp | DeleteOp)[] {
    return [...this.entries.values()].map((entry) => entry.op);
  }

  /** Guards that no key written was modified after `revision` (serializable snapshot's write check). */
  guardsSince(revision: Revision): Comparison[] {
    return [...this.entries.keys()].map((key) => compare.modRevision(key, "<", revision + 1n));
  }
}
