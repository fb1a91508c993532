import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { KV, Watch, type WatchRequestSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { startEtcd, type EtcdCluster, type TcpProxy } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCallOptions } from "../call-options.js";
import { isEtcdError } from "../errors/etcd-error.js";
import { bytes, sleep, timed } from "../test-support.test-helpers.js";
import { createTransport, type EtcdTransport } from "./create-transport.js";

type WatchRequestInit = MessageInitShape<typeof WatchRequestSchema>;

/** Slack on "settled by its deadline" bounds for a busy, shared machine. */
const SLACK_MS = 4000;

describe("cancellation, deadlines and close", () => {
  let cluster: EtcdCluster;
  let proxy: TcpProxy;

  beforeAll(async () => {
    cluster = await startEtcd({ proxy: true });
    proxy = cluster.members[0]!.proxy!;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** A transport whose session exists, then a proxy that swallows everything: calls hang. */
  async function hangingTransport(): Promise<EtcdTransport> {
    const transport = createTransport({ endpoints: cluster.endpoints });
    await createClient(KV, transport).range({ key: bytes("warm") });
    proxy.setMode("blackhole");
    return transport;
  }

  it("an AbortSignal cancels an in-flight call promptly", async () => {
    await using transport = await hangingTransport();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const result = await timed(() => createClient(KV, transport).range({ key: bytes("k") }, { signal: controller.signal }));
      expect(isEtcdError(result.error, "canceled")).toBe(true);
      expect(result.ms).toBeGreaterThan(190); // not before the abort
      expect(result.ms).toBeLessThan(200 + SLACK_MS); // settled at the abort, with slack for a busy machine
      const early = await createClient(KV, transport).range({ key: bytes("k") }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
      expect(isEtcdError(early, "canceled")).toBe(true);
    } finally {
      proxy.setMode("pass");
    }
  });

  it("a call with no time left or malformed options fails at once, without dialing", async () => {
    proxy.resetStats();
    await using transport = createTransport({ endpoints: cluster.endpoints });
    const kv = createClient(KV, transport);
    const outcomes = await Promise.all([
      // No time left is a package-level meaning (connectCallOptions); for a raw Connect client,
      // timeoutMs <= 0 means "no deadline" (see deadlines.test.ts).
      timed(() => kv.range({ key: bytes("k") }, connectCallOptions({ timeoutMs: 0 }))),
      timed(() => kv.put({ key: bytes("k"), value: bytes("v") }, connectCallOptions({ timeoutMs: -5 }))),
      timed(() => kv.range({ key: bytes("k") }, { timeoutMs: Number.NaN })),
      timed(() => kv.range({ key: bytes("k") }, { timeoutMs: "500" as unknown as number })),
      timed(() => kv.range({ key: bytes("k") }, { signal: {} as AbortSignal })),
    ]);
    expect(outcomes.map((o) => (isEtcdError(o.error) ? o.error.reason : String(o.error)))).toEqual([
      "deadline-exceeded",
      "deadline-exceeded",
      "invalid-argument",
      "invalid-argument",
      "invalid-argument",
    ]);
    for (const o of outcomes) expect(o.ms).toBeLessThan(SLACK_MS);
    expect(proxy.stats.connections).toBe(0); // nothing was dialed
  });

  it("a deadline beyond setTimeout's range (over 24.8 days) does not fire early", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints });
    const response = await createClient(KV, transport).range({ key: bytes("k") }, { timeoutMs: 30 * 24 * 3600 * 1000 });
    expect(response.header?.revision).toBeGreaterThan(0n);
  });

  it("timeoutMs ends an in-flight call with deadline-exceeded", async () => {
    await using transport = await hangingTransport();
    try {
      const result = await timed(() => createClient(KV, transport).put({ key: bytes("k"), value: bytes("v") }, { timeoutMs: 300 }));
      expect(isEtcdError(result.error, "deadline-exceeded")).toBe(true);
      expect(result.ms).toBeGreaterThan(290); // not before its deadline
      expect(result.ms).toBeLessThan(300 + SLACK_MS);
    } finally {
      proxy.setMode("pass");
    }
  });

  it("close() rejects pending calls and open streams with transport-closed, and later calls too", async () => {
    const transport = await hangingTransport();
    try {
      const kv = createClient(KV, transport);
      const pending = kv.range({ key: bytes("k") }).catch((e: unknown) => e);
      const requests = (async function* (): AsyncGenerator<WatchRequestInit> {
        yield { requestUnion: { case: "createRequest", value: { key: bytes("k") } } };
        await new Promise(() => {});
      })();
      const streamDone = (async () => {
        for await (const _ of createClient(Watch, transport).watch(requests)) {
          // nothing arrives through the blackhole
        }
      })().catch((e: unknown) => e);
      await sleep(100);
      const closed = await timed(() => transport.close());
      expect(closed.error).toBeUndefined();
      expect(closed.ms).toBeLessThan(SLACK_MS); // close() does not wait for the blackholed peer
      expect(isEtcdError(await pending, "transport-closed")).toBe(true);
      expect(isEtcdError(await streamDone, "transport-closed")).toBe(true);
      expect(isEtcdError(await kv.range({ key: bytes("k") }).catch((e: unknown) => e), "transport-closed")).toBe(true);
    } finally {
      proxy.setMode("pass");
    }
  });

  it("a streaming call honours its deadline and its signal", async () => {
    await using transport = createTransport({ endpoints: cluster.endpoints });
    const requests = (): AsyncIterable<WatchRequestInit> =>
      (async function* (): AsyncGenerator<WatchRequestInit> {
        yield { requestUnion: { case: "createRequest", value: { key: bytes("k") } } };
        await new Promise(() => {});
      })();
    const drain = async (options: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown> => {
      try {
        for await (const _ of createClient(Watch, transport).watch(requests(), options)) {
          // created
        }
        return undefined;
      } catch (err) {
        return err;
      }
    };
    const byDeadline = await timed(() => drain({ timeoutMs: 300 }));
    expect(isEtcdError(byDeadline.value, "deadline-exceeded")).toBe(true);
    expect(byDeadline.ms).toBeLessThan(300 + SLACK_MS);
    const byAbort = await timed(() => drain({ signal: AbortSignal.timeout(300) }));
    expect(isEtcdError(byAbort.value, ["deadline-exceeded", "canceled"])).toBe(true);
    expect(byAbort.ms).toBeLessThan(300 + SLACK_MS);
  });

  const script = fileURLToPath(new URL("./child-exit.test-helpers.ts", import.meta.url));
  for (const mode of ["close", "idle", "pending"] as const) {
    it(`a process using the transport exits by itself (${mode})`, async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@etcdkit/source", script, cluster.endpoints[0]!, mode], {
        cwd: fileURLToPath(new URL("../../../..", import.meta.url)),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      let calledAt = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (calledAt === 0 && output.includes("called")) calledAt = performance.now();
      });
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.on("exit", (c) => {
          clearTimeout(killer);
          resolve(c);
        });
      });
      expect(output).toContain("called");
      expect(code, output).toBe(0);
      // Exits by itself (it is killed after 20 s otherwise), well before that.
      expect(performance.now() - calledAt, output).toBeLessThan(15_000);
      if (mode === "pending") expect(output).toContain("stream ended: transport-closed");
    });
  }
});
