import { Auth, AuthenticateRequestSchema, AuthenticateResponseSchema, Cluster, MemberListRequestSchema, MemberListResponseSchema } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { describe, expect, it } from "vitest";
import { gatewayPath } from "../gateway/routes.js";
import { methodInfo } from "./method-info.js";
import { unaryMethod } from "./unary-method.js";

describe("unaryMethod", () => {
  it.each([
    [unaryMethod("etcdserverpb.Auth", "Authenticate", AuthenticateRequestSchema, AuthenticateResponseSchema), Auth.method.authenticate],
    [unaryMethod("etcdserverpb.Cluster", "MemberList", MemberListRequestSchema, MemberListResponseSchema), Cluster.method.memberList],
  ])("%s is what both transports read of the generated method", (built, generated) => {
    expect([built.name, built.localName, built.methodKind, built.parent.typeName, built.parent.name]).toEqual([
      generated.name,
      generated.localName,
      generated.methodKind,
      generated.parent.typeName,
      generated.parent.name,
    ]);
    expect(built.input).toBe(generated.input);
    expect(built.output).toBe(generated.output);
    expect(methodInfo(built)).toEqual(methodInfo(generated));
    expect(gatewayPath(built)).toBe(gatewayPath(generated));
    expect(String(built)).toBe(String(generated));
  });
});
