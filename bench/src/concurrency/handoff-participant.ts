/**
 * One participant of the hand-off measurement, in its own process (as lock users are): connects,
 * warms its call path on a private lock, prints "ready", waits for "go" on stdin, then takes the
 * shared lock `rounds` times, printing for each round the times (ms since the epoch, high
 * resolution, so they compare across processes) at which the lock resolved and the unlock was
 * called, and the lock key (whose delete event the measuring process times as the baseline).
 * Spawned by handoff.ts with its spec as argument.
 */
import { createLockService, createMutex, createSession } from "@etcdkit/concurrency";
import { createLease } from "@etcdkit/lease";
import { createTransport } from "@etcdkit/transport";

interface ParticipantSpec {
  readonly client: "etcdkit" | "server";
  readonly url: string;
  readonly name: string;
  readonly rounds: number;
}

interface Locker {
  /** Resolves with the lock key once held. */
  lock(): Promise<string>;
  unlock(): Promise<void>;
}

const spec = JSON.parse(process.argv[2]!) as ParticipantSpec;
const now = (): number => performance.timeOrigin + performance.now();
const transport = createTransport({ endpoints: [spec.url] });
let locker: (name: string) => Locker;
let close: () => Promise<void>;
if (spec.client === "etcdkit") {
  const session = await createSession(transport, { ttl: 30 });
  locker = (name) => {
    const mutex = createMutex(session, name);
    let held: Awaited<ReturnType<typeof mutex.lock>> | undefined;
    return {
      lock: async () => (held = await mutex.lock()).key,
      unlock: async () => void (await held!.unlock()),
    };
  };
  close = () => session.close();
} else {
  const lease = await createLease(transport).grant(30, { keepAlive: true });
  const locks = createLockService(transport);
  locker = (name) => {
    let key: Uint8Array | undefined;
    return {
      lock: async () => new TextDecoder().decode((key = (await locks.lock(name, lease.id, { timeoutMs: Number.POSITIVE_INFINITY })).key)),
      unlock: () => locks.unlock(key!),
    };
  };
  close = async () => void (await lease.revoke());
}
const warm = locker(`${spec.name}-warmup-${process.pid}`);
for (let i = 0; i < 30; i++) {
  await warm.lock();
  await warm.unlock();
}
process.stdout.write("ready\n");
await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
const shared = locker(spec.name);
const times: [number, number, string][] = [];
for (let i = 0; i < spec.rounds; i++) {
  const key = await shared.lock();
  const acquired = now();
  const released = now();
  await shared.unlock();
  times.push([acquired, released, key]);
}
process.stdout.write(`${JSON.stringify(times)}\n`);
await close();
await transport.close();
process.exit(0);
