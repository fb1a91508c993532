/**
 * Chapter 1 of the tour: the generated clients, straight from etcd's protos.
 * Every RPC of etcd is there, typed, with nothing hand-written in between.
 *
 * @example
 * await rawClientsChapter(ctx);
 */
import { createClient } from "@connectrpc/connect";
import { createTransport } from "@etcdkit/transport";
import { KV, Watch, type WatchRequest } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { Event_EventType } from "@etcdkit/api/mvccpb/kv_pb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { WatchRequestSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import type { TourContext } from "./tour-context.js";

const text = new TextEncoder();
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export async function rawClientsChapter(ctx: TourContext): Promise<void> {
  ctx.say("— generated clients (createClient(KV, transport)) —");
  await using transport = createTransport({ endpoints: ctx.endpoints });
  const kv = createClient(KV, transport);
  const key = text.encode(`${ctx.prefix}greeting`);

  const put = await kv.put({ key, value: text.encode("hello, etcd") });
  ctx.say(`put ${decode(key)} → revision ${put.header?.revision}`);
  const got = await kv.range({ key });
  ctx.say(`get ${decode(key)} → "${decode(got.kvs[0]!.value)}" (version ${got.kvs[0]!.version})`);

  const watch = createClient(Watch, transport);
  const abort = new AbortController();
  const create: MessageInitShape<typeof WatchRequestSchema> = {
    requestUnion: { case: "createRequest", value: { key, startRevision: put.header!.revision + 1n } },
  };
  const responses = watch.watch(requestsUntil(abort.signal, create), { signal: abort.signal });
  let sent = false;
  for await (const response of responses) {
    if (response.created && !sent) {
      sent = true;
      await kv.put({ key, value: text.encode("hello again") });
      continue;
    }
    const event = response.events[0];
    if (event) {
      const type = event.type === Event_EventType.PUT ? "PUT" : "DELETE";
      ctx.say(`watch saw ${type} ${decode(event.kv!.key)} = "${decode(event.kv!.value)}" at revision ${event.kv!.modRevision}`);
      break;
    }
  }
  abort.abort();
  await kv.deleteRange({ key });
}

/** The request side of a bidi stream: `requests`, then open until `signal` aborts. */
async function* requestsUntil<T>(signal: AbortSignal, ...requests: T[]): AsyncGenerator<T> {
  yield* requests;
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
}

export type { WatchRequest };
