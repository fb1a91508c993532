/**
 * Child process for polluted-options.test.ts: snapshots from two fake members (one sends a
 * wrong sha256 trailer) with `Object.prototype` polluted by one snapshot option at a time, and
 * prints what happened as JSON (`{ "<case>": outcome }`).
 *
 * usage: node --import tsx --conditions=@etcdkit/source polluted-options.test-helpers.ts <temp dir>
 */
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { withPollutedPrototype } from "@etcdkit/testing";
import { createTransport } from "@etcdkit/transport";
import { createMaintenance } from "./create-maintenance.js";
import { startFakeSnapshotServer } from "./fake-snapshot-server.test-helpers.js";

const [dir] = process.argv.slice(2);
const data = new Uint8Array(2000).map((_, i) => i % 251);
const broken = await startFakeSnapshotServer(data, false);
const sound = await startFakeSnapshotServer(data, true);
const transport = createTransport({ endpoints: [sound.url] });
const maintenance = createMaintenance(transport);
const outcome = (p: Promise<unknown>): Promise<unknown> => p.then((v) => v, (e: { reason?: string }) => `error: ${e.reason ?? String(e)}`);

const results: Record<string, unknown> = {};
results["verify"] = await withPollutedPrototype({ verify: false }, () =>
  outcome(maintenance.snapshot(broken.url, path.join(dir!, "broken.db"), {}).then((r) => r.bytes)),
);
const target = new PassThrough();
target.resume();
const ended = new Promise<boolean>((resolve) => {
  target.on("finish", () => resolve(true));
  setTimeout(() => resolve(false), 2000);
});
await withPollutedPrototype({ end: false }, () => outcome(maintenance.snapshot(sound.url, target, {})));
results["end"] = await ended;
let called = 0;
results["onProgress"] = await withPollutedPrototype({ onProgress: () => called++ }, () =>
  outcome(maintenance.snapshot(sound.url, path.join(dir!, "sound.db"), {}).then(() => called)),
);
results["maxBytes"] = await withPollutedPrototype({ maxBytes: 1 }, () =>
  outcome(maintenance.snapshot(sound.url, path.join(dir!, "sound2.db"), {}).then((r) => r.bytes)),
);
console.log(JSON.stringify(results));
await transport.close();
await broken.close();
await sound.close();
