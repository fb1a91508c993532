/**
 * Lease scale, worker side: grant `count` leases of `ttlSeconds`, keep them all alive for 3× the
 * TTL, and report the client CPU in that window, renewals, leases the client saw lost, and
 * leases etcd no longer has at the end (checked over a separate connection). The parent counts
 * the HTTP/2 streams the client opens through a proxy once the keepalive phase starts.
 */
import { createClient } from "@connectrpc/connect";
import { Lease as LeaseService } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { createLease, type Lease } from "@etcdkit/lease";
import { createTransport } from "@etcdkit/transport";
import { Etcd3, type Lease as Etcd3Lease } from "etcd3";
import { pool } from "./heap.js";
import { PHASE_MARKER, type ScaleSpec } from "./scale-cell.js";

/** What a lease-scale worker reports. */
export interface LeaseScaleResult {
  readonly count: number;
  readonly ttlSeconds: number;
  readonly windowMs: number;
  /** Process CPU (user + system) during the keepalive window, ms. */
  readonly cpuMs: number;
  /** Keepalive answers received during the window. */
  readonly renewals: number;
  /** Leases the client reported lost. */
  readonly lostByClient: number;
  /** Leases missing on etcd after the window. */
  readonly missingOnServer: number;
}

interface Subject {
  grant(count: number, ttl: number): Promise<bigint[]>;
  keepAlive(): void;
  readonly renewals: number;
  readonly lost: number;
  close(): Promise<void>;
}

function etcdkitSubject(url: string): Subject {
  const transport = createTransport({ endpoints: [url] });
  const leases = createLease(transport);
  const granted: Lease[] = [];
  let renewals = 0;
  let lost = 0;
  return {
    async grant(count, ttl) {
      await pool(count, 32, async () => {
        const lease = await leases.grant(ttl);
        granted.push(lease);
        void lease.lost.then((loss) => {
          if (loss.reason !== "closed") lost++;
        });
      });
      return granted.map((l) => l.id);
    },
    keepAlive() {
      for (const lease of granted) {
        void (async () => {
          for await (const _ of lease.keepAlive()) renewals++;
        })();
      }
    },
    get renewals() {
      return renewals;
    },
    get lost() {
      return lost;
    },
    async close() {
      await leases.close();
      await transport.close();
    },
  };
}

function etcd3Subject(url: string): Subject {
  const client = new Etcd3({ hosts: url });
  const granted: Etcd3Lease[] = [];
  let renewals = 0;
  let lost = 0;
  let closing = false;
  return {
    async grant(count, ttl) {
      const ids: bigint[] = [];
      await pool(count, 32, async () => {
        // autoKeepAlive off: the keepalive window starts for every client at the same moment
        const lease = client.lease(ttl, { autoKeepAlive: false });
        lease.on("lost", () => {
          if (!closing) lost++;
        });
        lease.on("keepaliveSucceeded", () => renewals++);
        ids.push(BigInt(await lease.grant()));
        granted.push(lease);
      });
      return ids;
    },
    keepAlive() {
      // what autoKeepAlive does after the grant (Lease.keepalive is not part of etcd3's typings)
      for (const lease of granted) (lease as unknown as { keepalive(): void }).keepalive();
    },
    get renewals() {
      return renewals;
    },
    get lost() {
      return lost;
    },
    close() {
      closing = true;
      for (const lease of granted) lease.release();
      client.close();
      return Promise.resolve();
    },
  };
}

export async function measureLeaseScale(spec: ScaleSpec): Promise<LeaseScaleResult> {
  const subject = spec.client === "etcdkit" ? etcdkitSubject(spec.url) : etcd3Subject(spec.url);
  const verifyTransport = createTransport({ endpoints: [spec.directUrl] });
  const verify = createClient(LeaseService, verifyTransport);
  try {
    const ids = await subject.grant(spec.count, spec.ttlSeconds);
    const windowMs = 3 * spec.ttlSeconds * 1000;
    // the parent resets its proxy's stream counter on this marker; give it time to see it
    process.stdout.write(`${PHASE_MARKER}keepalive\n`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cpu0 = process.cpuUsage();
    const renewals0 = subject.renewals;
    subject.keepAlive();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const cpu = process.cpuUsage(cpu0);
    const renewals = subject.renewals - renewals0;
    process.stdout.write(`${PHASE_MARKER}done\n`);
    const { leases } = await verify.leaseLeases({});
    const alive = new Set(leases.map((l) => l.ID));
    const missingOnServer = ids.filter((id) => !alive.has(id)).length;
    const lostByClient = subject.lost;
    await subject.close();
    await pool(ids.length, 32, (i) => verify.leaseRevoke({ ID: ids[i]! }).catch(() => undefined));
    return {
      count: ids.length,
      ttlSeconds: spec.ttlSeconds,
      windowMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      renewals,
      lostByClient,
      missingOnServer,
    };
  } finally {
    await verifyTransport.close();
  }
}
