/**
 * The cache's bookkeeping without etcd: when a value may be served, when an acquisition may
 * install one, how a write's acknowledgement changes it.
 */
import { KeyValue, toBytes, type ResponseHeader } from "@etcdkit/transport";
import { describe, expect, it } from "vitest";
import { keyId } from "./key-bytes.js";
import { LeaseCache } from "./lease-cache.js";

const key = toBytes("k");
const id = keyId(key);
const kv = (value: string, mod: bigint, version: number, create = 2n): KeyValue =>
  new KeyValue({ key, value: toBytes(value), createRevision: create, modRevision: mod, version, lease: 0n });
/** The header of an answer at `revision` (member 7, term 3). */
const hdr = (revision: bigint): ResponseHeader => ({ clusterId: 1n, memberId: 7n, revision, raftTerm: 3n });

/** A cache owning `k` with value "v0" at revision 10 (ownership created at 10). */
function owning(): LeaseCache {
  const cache = new LeaseCache();
  const ticket = cache.beginAcquire(key);
  cache.endAcquire(ticket, { createRevision: 10n, value: kv("v0", 5n, 1), asOf: 10n, header: hdr(10n) });
  expect(cache.servable(id)?.value?.text()).toBe("v0");
  return cache;
}

describe("LeaseCache", () => {
  it("serves nothing while any write to the key is in flight, also when a later write settles first (Go's one wait channel per key did)", () => {
    const cache = owning();
    const first = cache.beginWrite(key);
    const second = cache.beginWrite(key);
    cache.endWrite(second, { revision: 12n, header: hdr(12n), change: { type: "put", value: toBytes("v2") } });
    expect(cache.servable(id)).toBeUndefined(); // the first write may land after the second
    cache.endWrite(first, { revision: 11n, header: hdr(11n), change: { type: "put", value: toBytes("v1") } });
    // Acknowledged out of order: the version cannot be derived, so the value is dropped, not guessed.
    expect(cache.servable(id)).toBeUndefined();
    expect(cache.get(id)?.owned).toBe(10n);
  });

  it("applies acknowledged writes in order exactly: value, mod revision, version; a delete and a re-create", () => {
    const cache = owning();
    let ticket = cache.beginWrite(key);
    expect(ticket.guard).toBe(10n);
    cache.endWrite(ticket, { revision: 11n, header: hdr(11n), change: { type: "put", value: toBytes("v1") } });
    expect(cache.servable(id)?.value).toMatchObject({ modRevision: 11n, version: 2, createRevision: 2n });
    ticket = cache.beginWrite(key);
    cache.endWrite(ticket, { revision: 12n, header: hdr(12n), change: { type: "delete" } });
    expect(cache.servable(id)?.value).toBeNull();
    ticket = cache.beginWrite(key);
    cache.endWrite(ticket, { revision: 13n, header: hdr(13n), change: { type: "put", value: toBytes("again") } });
    expect(cache.servable(id)?.value).toMatchObject({ modRevision: 13n, version: 1, createRevision: 13n });
    expect(cache.servable(id)?.value?.text()).toBe("again");
  });

  it("keeps the header of the answer that gave the cached value: the acquisition's, then each applied write's; none once dropped", () => {
    const cache = owning();
    expect(cache.servable(id)?.header).toEqual(hdr(10n));
    const ticket = cache.beginWrite(key);
    cache.endWrite(ticket, { revision: 11n, header: { ...hdr(11n), memberId: 8n }, change: { type: "put", value: toBytes("v1") } });
    expect(cache.servable(id)?.header).toEqual({ ...hdr(11n), memberId: 8n });
    cache.endWrite(cache.beginWrite(key), "not-applied");
    expect(cache.servable(id)?.header?.revision).toBe(11n);
    cache.endWrite(cache.beginWrite(key), "unknown");
    expect(cache.get(id)?.header).toBeUndefined();
  });

  it("drops the value (but keeps the ownership) when a write's outcome is unknown, and backs off from re-acquiring", () => {
    const cache = owning();
    const ticket = cache.beginWrite(key);
    cache.endWrite(ticket, "unknown");
    expect(cache.servable(id)).toBeUndefined();
    expect(cache.get(id)?.owned).toBe(10n);
    expect(cache.mayAcquire(id)).toBe(false);
  });

  it("changes nothing for a write that was not applied", () => {
    const cache = owning();
    cache.endWrite(cache.beginWrite(key), "not-applied");
    expect(cache.servable(id)?.value?.text()).toBe("v0");
  });

  it("does not install an acquisition's value after a newer ownership event (Go's Add installed it after the key was given up)", () => {
    const cache = new LeaseCache();
    const ticket = cache.beginAcquire(key);
    cache.get(id)!.lastEvent = 21n; // e.g. a writer's REVOKE at 21, handled before the acquisition's answer (read at 20)
    cache.endAcquire(ticket, { createRevision: 20n, value: kv("v0", 5n, 1), asOf: 20n, header: hdr(20n) });
    expect(cache.servable(id)).toBeUndefined();
    expect(cache.get(id)).toBeUndefined(); // not even recorded as owned
  });

  it("records the ownership but installs no value when a write started during the acquisition", () => {
    const cache = new LeaseCache();
    const ticket = cache.beginAcquire(key);
    const write = cache.beginWrite(key);
    cache.endAcquire(ticket, { createRevision: 20n, value: kv("v0", 5n, 1), asOf: 20n, header: hdr(20n) });
    cache.endWrite(write, { revision: 21n, header: hdr(21n), change: { type: "put", value: toBytes("v1") } });
    expect(cache.servable(id)).toBeUndefined();
    expect(cache.get(id)?.owned).toBe(20n);
  });

  it("drops everything when the session changes; acquisitions begun before install nothing", () => {
    const cache = owning();
    const ticket = cache.beginAcquire(toBytes("other"));
    cache.clear();
    cache.endAcquire(ticket, { createRevision: 30n, value: null, asOf: 30n, header: hdr(30n) });
    expect(cache.servable(id)).toBeUndefined();
    expect(cache.servable(keyId(toBytes("other")))).toBeUndefined();
    expect(cache.cachedKeys).toBe(0);
  });

  it("forgets a key once it is disowned and idle", () => {
    const cache = owning();
    cache.disown(id, cache.get(id)!);
    expect(cache.get(id)).toBeUndefined();
    expect(cache.mayAcquire(id)).toBe(false);
  });
});
