/**
 * The shared stream skeleton on its own (the watch and lease packages test it against real etcd):
 * open on demand, responses to the handler, re-open after a break while in use, terminal reasons,
 * stale attempts ignored, stop, re-opens reported as transport events.
 */
import { Code } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { EtcdError, isEtcdError } from "../errors/etcd-error.js";
import type { TransportEvent } from "../observe/transport-events.js";
import { StreamHub, StreamSession, type StreamHubHandler } from "./stream-hub.js";

/** A call whose responses the test pushes, and ends with an error or without. */
class FakeCall implements AsyncIterable<string> {
  private queue: string[] = [];
  private waiter: ((r: IteratorResult<string>) => void) | undefined;
  private failer: ((e: unknown) => void) | undefined;
  private end: { error?: unknown } | undefined;

  constructor(readonly session: StreamSession<string>) {
    session.abort.signal.addEventListener("abort", () => this.finish({ error: session.abort.signal.reason ?? new Error("aborted") }));
  }

  push(response: string): void {
    if (this.waiter !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      this.failer = undefined;
      w({ value: response, done: false });
    } else this.queue.push(response);
  }

  finish(end: { error?: unknown }): void {
    this.end ??= end;
    const w = this.waiter;
    const f = this.failer;
    this.waiter = undefined;
    this.failer = undefined;
    if (end.error !== undefined) f?.(end.error);
    else w?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        const item = this.queue.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.end !== undefined) return this.end.error !== undefined ? Promise.reject(this.end.error) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiter = resolve;
          this.failer = reject;
        });
      },
    };
  }
}

function harness(options: { terminalEnds?: boolean; refuse?: string } = {}) {
  const calls: FakeCall[] = [];
  const responses: string[] = [];
  const broken: Array<{ error: EtcdError; terminal: boolean; session: StreamSession<string> }> = [];
  const events: TransportEvent[] = [];
  let inUse = true;
  const handler: StreamHubHandler<StreamSession<string>, string> = {
    name: "test",
    stream: "watch",
    onEvent: (event) => events.push(event),
    createSession: () => {
      const session = new StreamSession<string>();
      session.requests.push("hello");
      return session;
    },
    openCall: (session) => {
      const call = new FakeCall(session);
      calls.push(call);
      return call;
    },
    onResponse: (session, response) => {
      responses.push(response);
      // A handler that finds an answer to be a refusal breaks the attempt on it (as the watch
      // stream does for a create refused for its auth token).
      if (response === options.refuse) hub.broken(session, new EtcdError("token refused", "invalid-auth-token", Code.Unauthenticated));
    },
    onBroken: (session, error, terminal) => {
      broken.push({ error, terminal, session });
      return terminal && options.terminalEnds !== false;
    },
    inUse: () => inUse,
  };
  const hub = new StreamHub(handler);
  return { hub, calls, responses, broken, events, setInUse: (v: boolean) => (inUse = v) };
}

describe("StreamHub", () => {
  it("opens one attempt on demand, with the handler's first requests, and hands it every response", async () => {
    const { hub, calls, responses } = harness();
    hub.ensureOpen();
    hub.ensureOpen();
    expect(calls).toHaveLength(1);
    expect(hub.streamsOpened).toBe(1);
    expect((await hub.session!.requests.next()).value).toBe("hello");
    calls[0]!.push("a");
    calls[0]!.push("b");
    await vi.waitFor(() => expect(responses).toEqual(["a", "b"]));
    expect(hub.session!.received).toBe(2);
    hub.stop();
  });

  it("a stream etcd ends is broken with unavailable, closed with that reason, and re-opened after a backoff", async () => {
    const { hub, calls, broken } = harness();
    hub.ensureOpen();
    const first = hub.session!;
    calls[0]!.finish({});
    await vi.waitFor(() => expect(broken).toHaveLength(1));
    expect(isEtcdError(broken[0]!.error, "unavailable")).toBe(true);
    expect(broken[0]!.error.message).toContain("etcd ended the test stream");
    expect(broken[0]!.terminal).toBe(false);
    expect(first.closed).toBe(true);
    expect(first.abort.signal.reason).toBe(broken[0]!.error);
    await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 10_000 });
    expect(hub.streamsOpened).toBe(2);
    expect(hub.session).not.toBe(first);
    // Between a break and its re-open (checked synchronously: the first backoff is ~50 ms).
    hub.broken(hub.session!, new EtcdError("reset", "unavailable", Code.Unavailable));
    expect(hub.session).toBeUndefined();
    hub.ensureOpen(); // a re-open is scheduled: nothing now
    expect(calls).toHaveLength(2);
    hub.stop();
  });

  it("every re-open is reported to the transport's listener (attempt, delay, error); attempts count from the last answer", async () => {
    const { hub, calls, events } = harness();
    hub.ensureOpen();
    const first = new EtcdError("reset", "unavailable", Code.Unavailable);
    calls[0]!.finish({ error: first });
    await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 10_000 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "stream-reopen", stream: "watch", attempt: 1, error: first });
    expect((events[0] as { delayMs: number }).delayMs).toBeGreaterThan(0);
    calls[1]!.finish({ error: new EtcdError("reset again", "unavailable", Code.Unavailable) }); // no answer in between
    await vi.waitFor(() => expect(calls).toHaveLength(3), { timeout: 10_000 });
    expect(events.map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
    calls[2]!.push("answer");
    await vi.waitFor(() => expect(hub.session!.received).toBe(1));
    calls[2]!.finish({});
    await vi.waitFor(() => expect(events).toHaveLength(3));
    expect(events[2]).toMatchObject({ type: "stream-reopen", attempt: 1 });
    hub.stop();
  });

  it("attempts the handler breaks on their first answer count as failures in a row: their backoff and events, and later breaks count on", async () => {
    const { hub, calls, events } = harness({ refuse: "refused" });
    hub.ensureOpen();
    for (let n = 1; n <= 3; n++) {
      await vi.waitFor(() => expect(calls).toHaveLength(n), { timeout: 10_000 });
      calls[n - 1]!.push("refused"); // an answer, but a refusal: the attempt does not count as working
      await vi.waitFor(() => expect(events).toHaveLength(n));
    }
    expect(events[2]).toMatchObject({ type: "stream-reopen", attempt: 3 });
    await vi.waitFor(() => expect(calls).toHaveLength(4), { timeout: 10_000 });
    calls[3]!.finish({ error: new EtcdError("reset", "unavailable", Code.Unavailable) });
    await vi.waitFor(() => expect(events).toHaveLength(4));
    expect(events[3]).toMatchObject({ attempt: 4 });
    hub.stop();
  });

  it("a terminal reason ends it when the handler says so; no re-open, nothing reported", async () => {
    const { hub, calls, broken, events } = harness();
    hub.ensureOpen();
    calls[0]!.finish({ error: new EtcdError("closed", "transport-closed", Code.Canceled) });
    await vi.waitFor(() => expect(broken).toHaveLength(1));
    expect(broken[0]!.terminal).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500)); // well past the first backoff
    expect(calls).toHaveLength(1);
    expect(hub.session).toBeUndefined();
    expect(events).toHaveLength(0);
  });

  it("not in use any more: no re-open after a break", async () => {
    const { hub, calls, broken, setInUse } = harness();
    hub.ensureOpen();
    setInUse(false);
    calls[0]!.finish({ error: new EtcdError("gone", "unavailable", Code.Unavailable) });
    await vi.waitFor(() => expect(broken).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(calls).toHaveLength(1);
  });

  it("a break reported for an attempt that is not the open one changes nothing", async () => {
    const { hub, calls, broken } = harness();
    hub.ensureOpen();
    const stale = new StreamSession<string>();
    hub.broken(stale, new EtcdError("old", "unavailable", Code.Unavailable));
    expect(broken).toHaveLength(0);
    expect(calls).toHaveLength(1);
    expect(hub.session?.closed).toBe(false);
    hub.stop();
  });

  it("stop closes the attempt without a reason and cancels a scheduled re-open", async () => {
    const { hub, calls, broken } = harness();
    hub.ensureOpen();
    const session = hub.session!;
    hub.broken(session, new EtcdError("stalled", "unavailable", Code.Unavailable)); // found by the handler
    expect(broken).toHaveLength(1);
    hub.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(calls).toHaveLength(1);
    hub.ensureOpen();
    expect(calls).toHaveLength(2);
    const open = hub.session!;
    hub.stop();
    expect(open.closed).toBe(true);
    expect(open.abort.signal.aborted).toBe(true);
    expect(isEtcdError(open.abort.signal.reason)).toBe(false); // no reason: the DOMException of abort()
  });

  it("a call that cannot start is broken asynchronously, with the error it threw", async () => {
    const broken: EtcdError[] = [];
    const hub = new StreamHub<StreamSession<string>, string>({
      name: "test",
      stream: "watch",
      onEvent: undefined,
      createSession: () => new StreamSession<string>(),
      openCall: () => {
        throw new EtcdError("no such method", "unimplemented", Code.Unimplemented);
      },
      onResponse: () => {},
      onBroken: (_session, error) => {
        broken.push(error);
        return true;
      },
      inUse: () => true,
    });
    hub.ensureOpen();
    expect(broken).toHaveLength(0);
    await vi.waitFor(() => expect(broken).toHaveLength(1));
    expect(isEtcdError(broken[0], "unimplemented")).toBe(true);
  });
});
