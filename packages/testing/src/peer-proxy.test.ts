import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEtcd, type EtcdCluster } from "./etcd-cluster.js";
import { probeHealth } from "./health-check.js";
import { requestText } from "./http-json.js";
import { fetchMemberList } from "./member-list.js";

const b64 = (text: string): string => Buffer.from(text).toString("base64");

/**
 * Puts through etcd's JSON gateway; resolves with the revision. Retried for up to 20 s: when the
 * member just cut off was the leader, the majority needs an election first.
 */
async function put(clientUrl: string, key: string, value: string): Promise<bigint> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const { status, body } = await requestText(`${clientUrl}/v3/kv/put`, {
        method: "POST",
        body: JSON.stringify({ key: b64(key), value: b64(value) }),
        timeoutMs: 5_000,
      });
      if (status !== 200) throw new Error(`put via ${clientUrl}: HTTP ${status} ${body}`);
      return BigInt((JSON.parse(body) as { header: { revision: string } }).header.revision);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A serializable read of `key` on this member only (what it has applied). */
async function localValue(clientUrl: string, key: string): Promise<string | undefined> {
  const { status, body } = await requestText(`${clientUrl}/v3/kv/range`, {
    method: "POST",
    body: JSON.stringify({ key: b64(key), serializable: true }),
    timeoutMs: 2_000,
  });
  if (status !== 200) throw new Error(`range via ${clientUrl}: HTTP ${status} ${body}`);
  const kvs = (JSON.parse(body) as { kvs?: { value?: string }[] }).kvs;
  return kvs?.[0] === undefined ? undefined : Buffer.from(kvs[0].value ?? "", "base64").toString();
}

describe("startEtcd with peer proxies (three members)", () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3, peerProxy: true, flags: ["--pre-vote"] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("advertises each member's peer proxy as its peer URL", async () => {
    for (const m of cluster.members) {
      expect(m.peerProxy).toBeDefined();
      expect(m.peerUrl).toBe(m.peerProxy!.url);
    }
    const listed = (await fetchMemberList(cluster.clientUrls[0]!)).flatMap((e) => e.peerUrls).sort();
    expect(listed).toEqual(cluster.members.map((m) => m.peerProxy!.url).sort());
    // Raft traffic flows through the proxies.
    await vi.waitFor(() => expect(cluster.members.every((m) => m.peerProxy!.stats.bytesUp > 0)).toBe(true));
  });

  it("isolate(i) cuts a member off in both directions: the majority commits without it, it applies nothing until heal(i)", async () => {
    const isolated = cluster.members[2]!;
    const [a, b] = [cluster.clientUrls[0]!, cluster.clientUrls[1]!];
    await put(a, "isolation/before", "1");
    await vi.waitFor(async () => expect(await localValue(isolated.clientUrl, "isolation/before")).toBe("1"));

    await cluster.isolate(2);
    try {
      // The majority keeps committing; the isolated member sees none of it.
      for (let i = 0; i < 20; i++) await put(i % 2 === 0 ? a : b, "isolation/during", String(i));
      expect(await localValue(b, "isolation/during")).toBe("19");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await localValue(isolated.clientUrl, "isolation/during")).toBeUndefined();
      // Without a leader it says so (etcd 3.4's /health needs a leader).
      await vi.waitFor(async () => expect((await probeHealth(isolated.clientUrl)).healthy).toBe(false), { timeout: 20_000, interval: 200 });
      expect((await probeHealth(a)).healthy).toBe(true);
    } finally {
      await cluster.heal(2);
    }
    await vi.waitFor(async () => expect(await localValue(isolated.clientUrl, "isolation/during")).toBe("19"), {
      timeout: 20_000,
      interval: 200,
    });
    await cluster.waitHealthy(2);
  });

  it("lag(i) makes a member apply writes late; heal(i) lets it catch up at once", async () => {
    const lagging = cluster.members[1]!;
    const a = cluster.clientUrls[0]!;
    await cluster.lag(1, 1_500);
    try {
      await put(a, "lag/key", "fresh");
      // The majority (with member 2) commits at once; member 1 has not applied it yet.
      expect(await localValue(lagging.clientUrl, "lag/key")).toBeUndefined();
      await vi.waitFor(async () => expect(await localValue(lagging.clientUrl, "lag/key")).toBe("fresh"), { timeout: 20_000, interval: 100 });
    } finally {
      await cluster.heal(1);
    }
    await put(a, "lag/key", "after");
    await vi.waitFor(async () => expect(await localValue(lagging.clientUrl, "lag/key")).toBe("after"), { timeout: 5_000, interval: 50 });
  });
});
