/**
 * A tiny gRPC server (node:http2, plain text) standing in for a newer etcd whose alarms include a
 * type this SDK's protos do not name: it answers Maintenance/Alarm only, GET with its active
 * alarms and DEACTIVATE by removing (and returning) the alarm asked for, and records every
 * request. It is not etcd; real etcd 3.4 has no alarm type beyond NOSPACE and CORRUPT.
 *
 * @example
 * ```ts
 * await using server = await startFakeAlarmServer([{ memberID: 7n, alarm: 9 }]);
 * const maintenance = createMaintenance(createTransport({ endpoints: [server.url] }));
 * ```
 */
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  AlarmRequest_AlarmAction,
  AlarmRequestSchema,
  AlarmResponseSchema,
  type AlarmRequest,
} from "@etcdkit/api/etcdserverpb/rpc_pb";

/** A running fake. */
export interface FakeAlarmServer extends AsyncDisposable {
  readonly url: string;
  /** Every Alarm request received, decoded. */
  readonly requests: AlarmRequest[];
  close(): Promise<void>;
}

/** Starts the fake with `alarms` active. */
export async function startFakeAlarmServer(alarms: Array<{ memberID: bigint; alarm: number }>): Promise<FakeAlarmServer> {
  const active = [...alarms];
  const requests: AlarmRequest[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      if (headers[":path"] !== "/etcdserverpb.Maintenance/Alarm") {
        stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, { endStream: true });
        return;
      }
      const body = Buffer.concat(chunks);
      const request = fromBinary(AlarmRequestSchema, body.subarray(5));
      requests.push(request);
      let answer = active;
      if (request.action === AlarmRequest_AlarmAction.DEACTIVATE) {
        answer = active.filter((a) => a.memberID === request.memberID && a.alarm === request.alarm);
        for (const a of answer) active.splice(active.indexOf(a), 1);
      }
      const message = toBinary(AlarmResponseSchema, create(AlarmResponseSchema, { header: { clusterId: 1n, memberId: 1n }, alarms: answer }));
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, 5);
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(frame);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const fake: FakeAlarmServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return fake.close();
    },
  };
  return fake;
}
