/**
 * Child process for polluted-options.test.ts: with `Object.prototype` polluted by one option
 * name at a time, creates transports and makes calls whose option objects do not set that
 * option, and prints what happened as JSON (`{ "<case>": outcome }`).
 *
 * usage: node --import tsx --conditions=@etcdkit/source polluted-options.test-helpers.ts <endpoint>
 */
import { createClient } from "@connectrpc/connect";
import { KV } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { withPollutedPrototype } from "@etcdkit/testing";
import { connectCallOptions } from "../call-options.js";
import { createTransport } from "./create-transport.js";

const [endpoint] = process.argv.slice(2);
const key = new TextEncoder().encode("polluted/k");
const warnings: string[] = [];
process.on("warning", (warning) => warnings.push(warning.message));

/** Creates a transport (options without the polluted name), makes one call, reports. */
async function oneCall(extra: object = {}): Promise<unknown> {
  const transport = createTransport({ endpoints: [endpoint!], ...extra });
  try {
    await createClient(KV, transport).range({ key }, connectCallOptions({}));
    return { authentications: transport.stats.authentications };
  } finally {
    await transport.close();
  }
}

const cases: Record<string, { pollute: Record<string, unknown>; act(): Promise<unknown> }> = {
  "createTransport: timeoutMs": { pollute: { timeoutMs: -1 }, act: () => oneCall() },
  "createTransport: dialTimeoutMs": { pollute: { dialTimeoutMs: -1 }, act: () => oneCall() },
  "createTransport: tls": { pollute: { tls: {} }, act: () => oneCall() },
  "createTransport: auth": { pollute: { auth: { username: "intruder", password: "x" } }, act: () => oneCall() },
  "createTransport: username": { pollute: { username: "intruder" }, act: () => oneCall({ auth: { password: "x" } }).catch((e: { reason?: string }) => e.reason) },
  "tls: rejectUnauthorized": {
    pollute: { rejectUnauthorized: false },
    act: async () => {
      const transport = createTransport({ endpoints: ["https://127.0.0.1:1"], tls: { ca: "unused" } });
      await new Promise((resolve) => setImmediate(resolve));
      await transport.close();
      return warnings.filter((w) => w.includes("rejectUnauthorized")).length;
    },
  },
  "call: timeoutMs": { pollute: { timeoutMs: 0.001 }, act: () => oneCall() },
  "error: outcomeUnknown": {
    pollute: { outcomeUnknown: true },
    act: async () => {
      const transport = createTransport({ endpoints: [endpoint!] });
      try {
        const error = await createClient(KV, transport).range({ key: new Uint8Array(0) }).catch((e: unknown) => e);
        return [(error as { reason?: string }).reason, (error as { outcomeUnknown?: boolean }).outcomeUnknown];
      } finally {
        await transport.close();
      }
    },
  },
  "syncEndpoints: timeoutMs": {
    pollute: { timeoutMs: -1 },
    act: async () => {
      const transport = createTransport({ endpoints: [endpoint!] });
      try {
        return (await transport.syncEndpoints({})).length;
      } finally {
        await transport.close();
      }
    },
  },
};

const results: Record<string, unknown> = {};
for (const [name, c] of Object.entries(cases)) {
  results[name] = await withPollutedPrototype(c.pollute, () => c.act()).then(
    (value) => value,
    (err: { reason?: string }) => `error: ${err.reason ?? String(err)}`,
  );
}
console.log(JSON.stringify(results));
