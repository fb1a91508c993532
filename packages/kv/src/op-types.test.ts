/**
 * Type tests: options are typed per operation and the txn builder is staged. Every
 * `@ts-expect-error` below fails `pnpm typecheck` (root tsconfig includes this file) if the
 * error it expects ever disappears. The functions are type-checked, never called.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { compare } from "./compare.js";
import { createKV } from "./create-kv.js";
import type { KeyValue } from "@etcdkit/transport";
import type { KV } from "./kv.js";
import { op } from "./op-builders.js";
import type { GetOp, PutOp, TxnOp } from "./ops.js";
import type { DeleteResult, GetResult, PutResult, RangeResult, TxnResult } from "./results.js";
import { createRecordingTransport } from "./kv-test-env.test-helpers.js";

function invalidOptionsDoNotCompile(kv: KV): void {
  // @ts-expect-error a limit makes no sense on a put
  op.put("k", "v", { limit: 1 });
  // @ts-expect-error nor a sort on a put
  op.put("k", "v", { sort: { target: "key" } });
  // @ts-expect-error a sort needs a range
  op.get("k", { sort: { target: "key", order: "descend" } });
  // @ts-expect-error a limit needs a range
  op.get("k", { limit: 10 });
  // @ts-expect-error countOnly needs a range
  op.get("k", { countOnly: true });
  // @ts-expect-error two range selectors at once
  op.get("k", { prefix: true, end: "z" });
  // @ts-expect-error prefix and fromKey at once
  op.delete("k", { prefix: true, fromKey: true });
  // @ts-expect-error a delete has no limit
  op.delete("k", { prefix: true, limit: 5 });
  // @ts-expect-error a delete has no revision
  op.delete("k", { revision: 5n });
  // @ts-expect-error lease and ignoreLease contradict each other
  op.put("k", "v", { lease: 1n, ignoreLease: true });
  // @ts-expect-error ignoreValue has no value argument
  op.put("k", "v", { ignoreValue: true });
  // @ts-expect-error revisions are bigints
  op.get("k", { revision: 5 });
  // @ts-expect-error lease IDs are bigints
  op.put("k", "v", { lease: 5 });
  // @ts-expect-error kv.get reads one key: no prefix (use getPrefix or range)
  void kv.get("k", { prefix: true });
  // @ts-expect-error getPrefix already selects the range
  void kv.getPrefix("k", { end: "z" });
  // @ts-expect-error paginate walks in key order: no sort
  void kv.paginate("k", { prefix: true, sort: { target: "value" } });
  // @ts-expect-error paginate needs a range
  void kv.paginate("k", { pageSize: 10 });
  // @ts-expect-error compare operators are =, !=, <, >
  compare.value("k", ">=", "abc");
  // @ts-expect-error a mod revision is a bigint
  compare.modRevision("k", "=", 5);
  // @ts-expect-error a txn op list holds ops, not compares
  op.txn({ then: [compare.exists("k")] });
}

async function validCombinationsCompile(kv: KV, signal: AbortSignal): Promise<void> {
  op.get("k", { revision: 1n, serializable: true, keysOnly: true, minModRevision: 1n, maxCreateRevision: 9n });
  op.get("k", { prefix: true, limit: 10, sort: { target: "value", order: "descend" }, countOnly: true });
  op.get("a", { end: new Uint8Array([0x7a]), sort: { target: "createRevision" } });
  op.get("", { fromKey: true, limit: 1 });
  op.put("k", new Uint8Array([1, 2]), { lease: 7n, prevKv: true });
  op.put("k", "v", { ignoreLease: true });
  op.put("k", { ignoreValue: true, ignoreLease: true, prevKv: true });
  op.delete("k", { fromKey: true, prevKv: true });
  compare.createRevision("lock/", "<", 10n, { prefix: true });
  await kv.get("k", { signal, timeoutMs: 100, revision: 3n });
  await kv.range("k", { end: "z", limit: 5, signal });
  await kv.getPrefix("k", { sort: { target: "modRevision" }, timeoutMs: 5 });
  await kv.getFromKey("k", { countOnly: true });
  await kv.getAll({ keysOnly: true, signal });
  await kv.put("k", "v", { lease: 1n, timeoutMs: 5 });
  await kv.put("k", { ignoreValue: true, lease: 1n, signal });
  await kv.delete("k", { prefix: true, timeoutMs: 5 });
  await kv.compact(5n, { physical: true, signal });
  await kv.txn().commit({ signal, timeoutMs: 5 });
  for await (const page of kv.paginate("k", { prefix: true, pageSize: 5, limit: 7, revision: 2n, signal })) void page;
}

function txnStagesDoNotCompile(kv: KV): void {
  // @ts-expect-error no second if after then
  kv.txn().if(compare.exists("a")).then(op.get("a")).if(compare.exists("b"));
  // @ts-expect-error no then after else
  kv.txn().if(compare.exists("a")).else(op.get("a")).then(op.get("b"));
  // @ts-expect-error no second if
  kv.txn().if(compare.exists("a")).if(compare.exists("b"));
  // @ts-expect-error no second then
  kv.txn().then(op.get("a")).then(op.get("b"));
  // @ts-expect-error no else after else
  kv.txn().else(op.get("a")).else(op.get("b"));
}

async function resultsAreTypedPerPosition(kv: KV): Promise<void> {
  expectTypeOf(await kv.get("k")).toEqualTypeOf<GetResult>();
  expectTypeOf((await kv.get("k")).kv).toEqualTypeOf<KeyValue | undefined>();
  expectTypeOf(await kv.do(op.get("k"))).toEqualTypeOf<RangeResult>();
  expectTypeOf(await kv.do(op.put("k", "v"))).toEqualTypeOf<PutResult>();
  expectTypeOf(await kv.do(op.delete("k"))).toEqualTypeOf<DeleteResult>();

  const result = await kv
    .txn()
    .if(compare.missing("k"))
    .then(op.put("k", "v"), op.get("k"), op.txn({ then: [op.delete("x")] }))
    .else(op.get("k"))
    .commit();
  if (result.succeeded) {
    expectTypeOf(result.responses[0]).toEqualTypeOf<PutResult>();
    expectTypeOf(result.responses[1]).toEqualTypeOf<RangeResult>();
    const nested = result.responses[2];
    if (nested.succeeded) expectTypeOf(nested.responses[0]).toEqualTypeOf<DeleteResult>();
    // @ts-expect-error the then-branch has three ops
    void result.responses[3];
  } else {
    expectTypeOf(result.responses[0]).toEqualTypeOf<RangeResult>();
    // @ts-expect-error the else-branch has one op
    void result.responses[1];
  }

  const stored = op.txn({ if: [compare.exists("a")], then: [op.get("a")], else: [op.put("a", "1")] });
  expectTypeOf(stored).toEqualTypeOf<TxnOp<readonly [GetOp], readonly [PutOp]>>();
  expectTypeOf(await kv.do(stored)).toEqualTypeOf<TxnResult<readonly [GetOp], readonly [PutOp]>>();
}

describe("op and txn types", () => {
  it("the type tests above are compiled by pnpm typecheck (this only keeps vitest happy)", () => {
    const kv = createKV(createRecordingTransport());
    expect(typeof invalidOptionsDoNotCompile).toBe("function");
    expect(typeof txnStagesDoNotCompile).toBe("function");
    expect(typeof validCombinationsCompile).toBe("function");
    expect(typeof resultsAreTypedPerPosition).toBe("function");
    expect(typeof kv.txn).toBe("function");
  });
});
