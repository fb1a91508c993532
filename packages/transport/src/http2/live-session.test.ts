import { startEtcd, type EtcdCluster } from "@etcdkit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Maintenance, StatusResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { CallContext } from "../call/call-context.js";
import { transportClosedError } from "../call/call-errors.js";
import { encodeRequest } from "../call/encode-request.js";
import { parseEndpoint } from "../endpoints/parse-endpoint.js";
import type { EtcdError } from "../errors/etcd-error.js";
import { requestHeaders } from "../grpc/headers.js";
import { dial } from "./dial.js";
import { LiveSession, type DownKind } from "./live-session.js";
import { unaryCall } from "./unary-call.js";

/** A LiveSession on a fresh connection to `url`, recording how it went down. */
async function openSession(url: string) {
  const { session, socket, adopt } = await dial(parseEndpoint(url), undefined, 5000).connected;
  expect(adopt()).toBeUndefined();
  const downs: { kind: DownKind; error: EtcdError | undefined }[] = [];
  let verified = 0;
  const live = new LiveSession(
    session,
    socket,
    url,
    { intervalMs: 0, timeoutMs: 5000 }, // no periodic pings: only the verifications below
    { streams: 0 },
    (_live, kind, error) => downs.push({ kind, error }),
    () => verified++,
  );
  return { live, downs, verified: () => verified };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one verification PING and waits for its answer (or for the session to go down). */
async function verifyOnce(live: LiveSession, verified: () => number): Promise<void> {
  const before = verified();
  live.needsVerify = true;
  live.verify();
  for (let waited = 0; waited < 5000 && verified() === before && live.usable; waited += 10) await sleep(10);
  await sleep(50); // a GOAWAY in answer to the PING arrives right after its ACK
}

/** One Maintenance.Status call on the session (etcd answers with HEADERS). */
async function statusCall(live: LiveSession): Promise<void> {
  const ctx = new CallContext(new Set(), undefined, 5000);
  try {
    const headers = requestHeaders(`/${Maintenance.typeName}/${Maintenance.method.status.name}`, 5000, undefined, false, undefined);
    await unaryCall(live, headers, encodeRequest(Maintenance.method.status.input, {}, 1 << 20), StatusResponseSchema, 1 << 20, ctx);
  } finally {
    ctx.dispose();
  }
}

describe("LiveSession verification PINGs against etcd's ping policy", () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcd(); // etcd's defaults: PermitWithoutStream=false
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("an idle session that would earn a third ping strike is retired instead of pinged; etcd never sends too_many_pings", async () => {
    const { live, downs, verified } = await openSession(cluster.endpoints[0]!);
    try {
      // Verify-before-use on an idle session whose verifications are never followed by a call.
      for (let i = 0; i < 6 && live.usable; i++) await verifyOnce(live, verified);
      expect(live.tooManyPings).toBe(false);
      expect(live.usable).toBe(false); // retired by the client before the server lost patience
      expect(downs.map((d) => d.kind)).toEqual(["draining"]);
      expect(downs[0]!.error?.message).toMatch(/ping/i);
    } finally {
      live.destroy("closed", transportClosedError());
    }
  });

  it("a call's response headers between verifications reset the count: no retirement", async () => {
    const { live, downs, verified } = await openSession(cluster.endpoints[0]!);
    try {
      for (let i = 0; i < 6; i++) {
        await verifyOnce(live, verified);
        await statusCall(live); // etcd answers with HEADERS, which resets its strike count
      }
      expect(live.tooManyPings).toBe(false);
      expect(live.usable).toBe(true);
      expect(downs).toEqual([]);
    } finally {
      live.destroy("closed", transportClosedError());
    }
  });
});
