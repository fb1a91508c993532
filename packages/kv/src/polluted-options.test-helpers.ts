/**
 * Child process for polluted-options.test.ts: with `Object.prototype` polluted by one option
 * name at a time, runs a KV call whose options object does not set that option, and prints what
 * happened as JSON (`{ "<case>": outcome }`). Each case seeds and checks its keys unpolluted.
 *
 * usage: node --import tsx --conditions=@etcdkit/source polluted-options.test-helpers.ts <endpoint>
 */
import { createTransport } from "@etcdkit/transport";
import { withPollutedPrototype } from "@etcdkit/testing";
import { createKV } from "./create-kv.js";
import { op } from "./op-builders.js";

const [endpoint] = process.argv.slice(2);
const transport = createTransport({ endpoints: [endpoint!] });
const kv = createKV(transport);
const run = `/polluted/${process.pid}/`;

/** A case: `pollute` is on Object.prototype while `act` runs; `check` runs clean afterwards. */
interface Case {
  readonly pollute: Record<string, unknown>;
  act(prefix: string): Promise<unknown>;
  check?(prefix: string, acted: unknown): Promise<unknown>;
}

const left = async (prefix: string) => (await kv.getPrefix(prefix)).count;
const cases: Record<string, Case> = {
  "delete: prefix": { pollute: { prefix: true }, act: (p) => kv.delete(`${p}a`, {}).then((r) => r.deleted), check: left },
  "delete: fromKey": { pollute: { fromKey: true }, act: (p) => kv.delete(`${p}a`, {}).then((r) => r.deleted), check: left },
  "delete: end": { pollute: { end: "\0" }, act: (p) => kv.delete(`${p}a`, { prevKv: true }).then((r) => r.deleted), check: left },
  "do(op.delete): prefix": { pollute: { prefix: true }, act: (p) => kv.do(op.delete(`${p}a`, {})).then((r) => r.deleted), check: left },
  "txn delete: prefix": {
    pollute: { prefix: true },
    act: (p) => kv.txn().if().then(op.delete(`${p}a`, {})).commit().then((r) => r.succeeded),
    check: left,
  },
  "range: end": { pollute: { end: "\0" }, act: (p) => kv.range(`${p}a`, {}).then((r) => r.kvs.length) },
  "range: countOnly": { pollute: { countOnly: true }, act: (p) => kv.range(`${p}a`, {}).then((r) => r.kvs.length) },
  "getPrefix: limit": { pollute: { limit: 1 }, act: (p) => kv.getPrefix(p, {}).then((r) => r.kvs.length) },
  "getPrefix: sort": {
    pollute: { sort: { target: "key", order: "descend" } },
    act: (p) => kv.getPrefix(p, {}).then((r) => r.kvs.map((x) => x.text().slice(0))),
  },
  "get: keysOnly": { pollute: { keysOnly: true }, act: (p) => kv.get(`${p}a`, {}).then((x) => x.kv?.text()) },
  "get: revision": { pollute: { revision: 1n }, act: (p) => kv.get(`${p}a`, {}).then((x) => x.kv?.text()) },
  "get: timeoutMs": { pollute: { timeoutMs: -1 }, act: (p) => kv.get(`${p}a`, {}).then((x) => x.kv?.text()) },
  "get without options: timeoutMs": { pollute: { timeoutMs: 0.001 }, act: (p) => kv.get(`${p}a`).then((x) => x.kv?.text()) },
  "put: lease": { pollute: { lease: 123_456_789n }, act: (p) => kv.put(`${p}a`, "3", {}).then(() => "put") },
  "put: ignoreValue": { pollute: { ignoreValue: true }, act: (p) => kv.put(`${p}a`, "3", {}).then(() => "put") },
  "delete: prevKv": { pollute: { prevKv: true }, act: (p) => kv.delete(`${p}a`, {}).then((r) => r.prevKvs.length) },
  "paginate: pageSize": {
    pollute: { pageSize: 1 },
    act: async (p) => {
      let pages = 0;
      for await (const _ of kv.paginate(p, { prefix: true })) pages++;
      return pages;
    },
  },
};

const results: Record<string, unknown> = {};
for (const [name, c] of Object.entries(cases)) {
  const prefix = `${run}${Object.keys(results).length}/`;
  await kv.put(`${prefix}a`, "1");
  await kv.put(`${prefix}ab`, "2");
  const acted = await withPollutedPrototype(c.pollute, () => c.act(prefix)).then(
    (value) => value,
    (err: { reason?: string }) => `error: ${err.reason ?? String(err)}`,
  );
  results[name] = c.check === undefined ? acted : [acted, await c.check(prefix, acted)];
}
console.log(JSON.stringify(results, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
await transport.close();
