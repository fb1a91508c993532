/**
 * The consumer side of a streaming call on its own (the transport's stream tests run it against
 * real etcd): flow control, the order of messages and the final error, early return.
 */
import { Code } from "@connectrpc/connect";
import { StringValueSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { EtcdError, isEtcdError } from "../errors/etcd-error.js";
import { HIGH_WATER_MESSAGES, StreamMessages } from "./stream-messages.js";

function harness() {
  const log: string[] = [];
  const canceled: EtcdError[] = [];
  const messages = new StreamMessages<typeof StringValueSchema>({
    decode: (body) => ({ $typeName: "google.protobuf.StringValue", value: new TextDecoder().decode(body) }),
    pause: () => log.push("pause"),
    resume: () => log.push("resume"),
    cancel: (error) => canceled.push(error),
  });
  const body = (text: string) => new TextEncoder().encode(text);
  return { messages, log, canceled, body };
}

describe("StreamMessages", () => {
  it("pauses the stream at the high-water mark and resumes it once half of it was read", async () => {
    const { messages, log, body } = harness();
    messages.received(Array.from({ length: HIGH_WATER_MESSAGES }, (_, i) => body(String(i))));
    expect(log).toEqual(["pause"]);
    for (let i = 0; i < HIGH_WATER_MESSAGES / 2; i++) expect((await messages.next()).value?.value).toBe(String(i));
    expect(log).toEqual(["pause"]);
    await messages.next();
    expect(log).toEqual(["pause", "resume"]);
  });

  it("delivers what was received, then the final error once, then the end", async () => {
    const { messages, body } = harness();
    const pending = messages.next();
    messages.received([body("a")]);
    expect((await pending).value?.value).toBe("a");
    messages.received([body("b")]);
    messages.finish(new EtcdError("lost", "unavailable", Code.Unavailable));
    expect((await messages.next()).value?.value).toBe("b");
    await expect(messages.next()).rejects.toSatisfy((e) => isEtcdError(e, "unavailable"));
    expect((await messages.next()).done).toBe(true);
  });

  it("one next() at a time; return() drops what is queued and cancels a call in progress", async () => {
    const { messages, canceled, body } = harness();
    const first = messages.next();
    await expect(messages.next()).rejects.toSatisfy((e) => isEtcdError(e, "invalid-argument"));
    messages.received([body("a"), body("b")]);
    await first;
    expect((await messages.return()).done).toBe(true);
    expect(messages.consumerDone).toBe(true);
    expect(canceled.map((e) => e.reason)).toEqual(["canceled"]);
    messages.finish(undefined);
    expect((await messages.next()).done).toBe(true); // "b" was dropped
  });
});
