import { create, equals, fromJson, toJson, ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import * as auth from "@etcdkit/api/authpb/auth_pb";
import * as rpc from "@etcdkit/api/etcdserverpb/rpc_pb";
import * as kv from "@etcdkit/api/mvccpb/kv_pb";
import * as election from "@etcdkit/api/v3electionpb/v3election_pb";
import * as lock from "@etcdkit/api/v3lockpb/v3lock_pb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { base64Decode, base64Encode, fromGatewayJson, toGatewayJson } from "./json-codec.js";

const schemas: DescMessage[] = [rpc, kv, auth, lock, election]
  .flatMap((module) => Object.values(module as Record<string, unknown>))
  .filter((v): v is DescMessage => typeof v === "object" && v !== null && (v as { kind?: string }).kind === "message");

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

function scalarArbitrary(type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 12 });
    case ScalarType.STRING:
      return fc.string({ maxLength: 8, unit: "binary" });
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return int64;
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return uint64;
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      return fc.double({ noDefaultInfinity: false });
    default:
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  }
}

/** Random init shapes of a message (depth-bounded: RequestOp and TxnRequest contain each other). */
function messageArbitrary(schema: DescMessage, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const value = (field: DescField): fc.Arbitrary<unknown> => {
    if (field.message) return depth >= 2 ? fc.constant({}) : messageArbitrary(field.message, depth + 1);
    if (field.enum) return fc.constantFrom(...field.enum.values.map((v) => v.number));
    return scalarArbitrary(field.scalar!);
  };
  const entries: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of schema.fields) {
    if (field.oneof) continue;
    entries[field.localName] = field.fieldKind === "list" ? fc.array(value(field), { maxLength: depth >= 2 ? 0 : 2 }) : value(field);
  }
  for (const oneof of schema.oneofs) {
    entries[oneof.localName] = fc.oneof(
      fc.constant({ case: undefined }),
      ...oneof.fields.map((f) => value(f).map((v) => ({ case: f.localName, value: v }))),
    );
  }
  return fc.record(entries, { requiredKeys: [] });
}

describe("gateway JSON codec", () => {
  it("covers every message of etcd's protos", () => {
    expect(schemas.length).toBeGreaterThan(90);
  });

  it.each(schemas.map((s) => [s.typeName, s] as const))("%s: writes what protobuf-es's toJson writes, and reads it back", (_, schema) => {
    fc.assert(
      fc.property(messageArbitrary(schema), (init) => {
        const message = create(schema, init);
        const expected = toJson(schema, message, { useProtoFieldName: true });
        expect(toGatewayJson(schema, message)).toEqual(expected);
        expect(toGatewayJson(schema, init)).toEqual(expected); // an init shape writes the same
        expect(equals(schema, fromGatewayJson(schema, expected), message)).toBe(true);
        // JSON names (camelCase) and protobuf-es's reading agree too.
        const camel = toJson(schema, message);
        expect(equals(schema, fromGatewayJson(schema, camel), fromJson(schema, camel))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it("reads etcd 3.4's answers: proto names, 64-bit strings, base64, omitted defaults, enum names", () => {
    const text =
      '{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"3","raft_term":"2"},' +
      '"events":[{"kv":{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}},' +
      '{"type":"DELETE","kv":{"key":"Zm9v","mod_revision":"3"}}]}';
    const response = fromGatewayJson(rpc.WatchResponseSchema, JSON.parse(text));
    expect(response.header?.clusterId).toBe(14841639068965178418n);
    expect(response.created).toBe(false);
    expect(response.events.map((e) => [e.type, new TextDecoder().decode(e.kv!.key), e.kv!.modRevision])).toEqual([
      [kv.Event_EventType.PUT, "foo", 2n],
      [kv.Event_EventType.DELETE, "foo", 3n],
    ]);
    const txn = fromGatewayJson(rpc.TxnResponseSchema, JSON.parse('{"succeeded":true,"responses":[{"response_put":{"header":{"revision":"4"}}}]}'));
    expect(txn.responses[0]!.response).toMatchObject({ case: "responsePut", value: { header: { revision: 4n } } });
    expect(fromGatewayJson(rpc.LeaseGrantResponseSchema, { ID: "7587899351014513930", TTL: "5", unknown_field: 1 })).toMatchObject({
      ID: 7587899351014513930n,
      TTL: 5n,
    });
  });

  it("writes requests the way etcd 3.4 reads them", () => {
    expect(
      toGatewayJson(rpc.TxnRequestSchema, {
        compare: [{ key: new TextEncoder().encode("foo"), target: rpc.Compare_CompareTarget.VALUE, result: rpc.Compare_CompareResult.EQUAL, targetUnion: { case: "value", value: new TextEncoder().encode("bar") } }],
        success: [{ request: { case: "requestRange", value: { key: new TextEncoder().encode("foo"), limit: 0n } } }],
      }),
    ).toEqual({
      compare: [{ key: "Zm9v", target: "VALUE", value: "YmFy" }],
      success: [{ request_range: { key: "Zm9v" } }],
    });
    expect(toGatewayJson(rpc.LeaseGrantRequestSchema, { TTL: 5n, ID: 0n })).toEqual({ TTL: "5" });
    // A oneof member is written even when it holds a zero value (the case is what matters).
    expect(toGatewayJson(rpc.CompareSchema, { targetUnion: { case: "version", value: 0n } })).toEqual({ version: "0" });
  });

  it("rejects values that do not fit their field with invalid-argument", () => {
    let error: unknown;
    try {
      toGatewayJson(rpc.RangeRequestSchema, { key: "foo" as unknown as Uint8Array });
    } catch (err) {
      error = err;
    }
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect(String((error as Error).message)).toContain("etcdserverpb.RangeRequest.key");
    expect(() => fromGatewayJson(rpc.RangeResponseSchema, { count: "1.5" })).toThrow(/RangeResponse\.count/);
    expect(() => fromGatewayJson(rpc.RangeResponseSchema, [])).toThrow(/RangeResponse/);
  });

  it("base64: standard with padding out, standard or URL-safe in", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x00]);
    expect(base64Encode(bytes)).toBe("+//+AA==");
    expect(base64Decode("-__-AA", "x")).toEqual(bytes);
    expect(base64Decode("+//+AA==", "x")).toEqual(bytes);
    const large = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(base64Decode(base64Encode(large), "x")).toEqual(large);
    expect(() => base64Decode("a", "x")).toThrow(/invalid base64/);
  });
});
