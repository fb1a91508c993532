import { createClient } from "@connectrpc/connect";
import { Maintenance } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { thrownBy } from "@etcdkit/testing";
import { describe, expect, it } from "vitest";
import { isEtcdError } from "../errors/etcd-error.js";
import { createGatewayTransport } from "./create-gateway-transport.js";

/** As the gRPC transport: one scheme per transport, and no downgrade to http:// for one member. */
describe("gateway endpoints and TLS", () => {
  const requested: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    requested.push(String(input));
    return new Response('{"header":{"revision":"1"}}', { status: 200 });
  }) as typeof fetch;

  it("refuses endpoints that mix https:// and http://", () => {
    const error = thrownBy(() =>
      createGatewayTransport({ endpoints: ["https://10.0.0.1:2379", "http://10.0.0.2:2379"], auth: { username: "u", password: "p" }, fetch: fetchFn }),
    );
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect((error as Error).message).toMatch(/mix/);
  });

  it("forEndpoint refuses an http:// member on an https:// transport, before any request", () => {
    const transport = createGatewayTransport({ endpoints: ["https://10.0.0.1:2379"], auth: { username: "u", password: "p" }, fetch: fetchFn });
    const error = thrownBy(() => createClient(Maintenance, transport.forEndpoint("http://10.0.0.2:2379")));
    expect(isEtcdError(error, "invalid-argument")).toBe(true);
    expect(requested).toEqual([]);
  });
});
