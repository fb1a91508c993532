import { existsSync, readFileSync } from "node:fs";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { EtcdClientErrorReason, EtcdServerErrorReason } from "./etcd-error-reason.js";
import { rpcErrorTable, type RpcErrorRow } from "./rpctypes-table.js";
import { toEtcdError } from "./to-etcd-error.js";

/** etcd 3.4's rpctypes, as Debian's golang-etcd-server-dev installs it; override with ETCD_RPCTYPES_GO. */
const rpctypesGo =
  process.env["ETCD_RPCTYPES_GO"] ??
  "/usr/share/gocode/src/go.etcd.io/etcd/etcdserver/api/v3rpc/rpctypes/error.go";

interface GoErrorDefinition {
  readonly name: string;
  readonly code: Code;
  readonly message: string;
}

/** Lines like `ErrGRPCNoLeader = status.New(codes.Unavailable, "etcdserver: no leader").Err()` (or `status.Error(...)`). */
function parseRpctypes(source: string): GoErrorDefinition[] {
  const definition = /^\s*(Err\w+)\s*=\s*status\.(?:New|Error)\(codes\.(\w+),\s*("(?:[^"\\]|\\.)*")\)/;
  const found: GoErrorDefinition[] = [];
  for (const line of source.split("\n")) {
    const match = definition.exec(line);
    if (match === null) continue;
    const [, name, codeName, quoted] = match as unknown as [string, string, string, string];
    const code = Code[codeName as keyof typeof Code];
    if (code === undefined) throw new Error(`${name}: unknown gRPC code ${codeName}`);
    found.push({ name, code, message: JSON.parse(quoted) as string });
  }
  return found;
}

describe("rpcErrorTable", () => {
  it.each(rpcErrorTable.map((row) => [row.reason, row.message, row] as const))(
    "%s ← %j",
    (_reason, _message, row: RpcErrorRow) => {
      const error = toEtcdError(new ConnectError(row.message, row.code));
      expect(error.reason).toBe(row.reason);
      expect(error.code).toBe(row.code);
      expect(error.rawMessage).toBe(row.message);
    },
  );

  it("has no duplicate messages", () => {
    const messages = rpcErrorTable.map((row) => row.message);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it("has a row for every server reason, and no row for a client reason other than etcd's own cancel/deadline", () => {
    // Exhaustive by type: adding a reason to the union without listing it here fails to compile.
    const server: Record<EtcdServerErrorReason, true> = {
      "empty-key": true, "key-not-found": true, "value-provided": true, "lease-provided": true,
      "ttl-zero": true, "too-many-ops": true, "duplicate-key": true, "invalid-client-api-version": true,
      "invalid-sort-option": true, compacted: true, "future-revision": true, "no-space": true,
      "lease-not-found": true, "lease-exists": true, "lease-ttl-too-large": true, "watch-canceled": true,
      "member-exists": true, "peer-url-exists": true, "member-not-enough-started": true,
      "member-bad-urls": true, "member-not-found": true, "member-not-learner": true,
      "learner-not-ready": true, "too-many-learners": true, "cluster-id-mismatch": true,
      "request-too-large": true, "too-many-requests": true, "root-user-not-exist": true,
      "root-role-not-exist": true, "user-already-exist": true, "user-empty": true, "user-not-found": true,
      "role-already-exist": true, "role-not-found": true, "role-empty": true, "auth-failed": true,
      "permission-not-given": true, "permission-denied": true, "role-not-granted": true,
      "permission-not-granted": true, "auth-not-enabled": true, "invalid-auth-token": true,
      "invalid-auth-mgmt": true, "auth-old-revision": true, "no-leader": true, "not-leader": true,
      "leader-changed": true, "not-capable": true, stopped: true, timeout: true,
      "timeout-due-to-leader-fail": true, "timeout-due-to-connection-lost": true,
      "timeout-wait-applied-index": true, unhealthy: true, corrupt: true,
      "not-supported-for-learner": true, "bad-leader-transferee": true,
      "cluster-version-unavailable": true, "wrong-downgrade-version-format": true,
      "invalid-downgrade-target-version": true, "downgrade-in-process": true,
      "no-inflight-downgrade": true, "election-not-leader": true, "election-no-leader": true,
    };
    const tableReasons = new Set<string>(rpcErrorTable.map((row) => row.reason));
    expect(Object.keys(server).filter((reason) => !tableReasons.has(reason))).toEqual([]);

    const sharedWithClient: EtcdClientErrorReason[] = ["canceled", "deadline-exceeded"];
    const extra = [...tableReasons].filter((reason) => !(reason in server));
    expect(extra.sort()).toEqual([...sharedWithClient].sort());
  });

  it.skipIf(!existsSync(rpctypesGo))(`contains every message of ${rpctypesGo} with the same code`, () => {
    const definitions = parseRpctypes(readFileSync(rpctypesGo, "utf8"));
    expect(definitions.length).toBeGreaterThan(50); // the parser found the block
    const byMessage = new Map(rpcErrorTable.map((row) => [row.message, row]));
    const missing = definitions.filter((definition) => !byMessage.has(definition.message));
    expect(missing.map((definition) => `${definition.name}: ${definition.message}`)).toEqual([]);
    const codeMismatches = definitions
      .filter((definition) => byMessage.get(definition.message)?.code !== definition.code)
      .map((definition) => `${definition.name}: Go ${Code[definition.code]}, table ${Code[byMessage.get(definition.message)!.code]}`);
    expect(codeMismatches).toEqual([]);
  });

  it("the Go parser handles both status.New(...).Err() and status.Error(...) (3.6+) lines", () => {
    const source = [
      '\tErrGRPCNoLeader = status.New(codes.Unavailable, "etcdserver: no leader").Err()',
      '\tErrGRPCNotCapable                 = status.Error(codes.FailedPrecondition, "etcdserver: not capable")',
      "\tErrNoLeader = Error(ErrGRPCNoLeader)",
    ].join("\n");
    expect(parseRpctypes(source)).toEqual([
      { name: "ErrGRPCNoLeader", code: Code.Unavailable, message: "etcdserver: no leader" },
      { name: "ErrGRPCNotCapable", code: Code.FailedPrecondition, message: "etcdserver: not capable" },
    ]);
  });
});

describe("toEtcdError message matching", () => {
  it("matches by prefix when etcd appends detail", () => {
    const error = toEtcdError(
      new ConnectError("etcdserver: mvcc: required revision has been compacted (compacted at 17)", Code.OutOfRange),
    );
    expect(error.reason).toBe("compacted");
  });

  it("prefers the exact row over a shorter prefix row", () => {
    const message = "etcdserver: request timed out, possibly due to previous leader failure";
    expect(toEtcdError(new ConnectError(message, Code.Unavailable)).reason).toBe("timeout-due-to-leader-fail");
    const learner = "etcdserver: can only promote a learner member which is in sync with leader";
    expect(toEtcdError(new ConnectError(learner, Code.FailedPrecondition)).reason).toBe("learner-not-ready");
  });

  it("prefers the longest prefix row for an unknown extension", () => {
    const message = "etcdserver: request timed out, possibly due to connection lost; retry later";
    expect(toEtcdError(new ConnectError(message, Code.Unavailable)).reason).toBe("timeout-due-to-connection-lost");
    expect(toEtcdError(new ConnectError("etcdserver: request timed out, for a new reason", Code.Unavailable)).reason)
      .toBe("timeout");
  });

  it("keeps the code the server sent (etcd 3.6 sends 'not capable' as FailedPrecondition)", () => {
    const error = toEtcdError(new ConnectError("etcdserver: not capable", Code.FailedPrecondition));
    expect(error.reason).toBe("not-capable");
    expect(error.code).toBe(Code.FailedPrecondition);
  });

  it("uses the row's code when the server sent the message with code Unknown", () => {
    const error = toEtcdError(new ConnectError("etcdserver: revision of auth store is old", Code.Unknown));
    expect(error.reason).toBe("auth-old-revision");
    expect(error.code).toBe(Code.InvalidArgument);
  });

  it("does not match a message that only contains an etcd message later on", () => {
    const error = toEtcdError(new ConnectError("proxy: etcdserver: no leader", Code.Internal));
    expect(error.reason).toBe("unknown");
  });
});

describe("toEtcdError code fallbacks", () => {
  it.each([
    [Code.Unavailable, "connect ECONNREFUSED 127.0.0.1:2379", "unavailable"],
    [Code.DeadlineExceeded, "the operation timed out", "deadline-exceeded"],
    [Code.Canceled, "This operation was aborted", "canceled"],
    [Code.ResourceExhausted, "grpc: received message larger than max (4194305 vs. 4194304)", "message-too-large"],
    [Code.ResourceExhausted, "grpc: trying to send message larger than max (2097153 vs. 2097152)", "message-too-large"],
    [Code.ResourceExhausted, "message size 5000000 is larger than configured readMaxBytes 4194304", "message-too-large"],
    [Code.ResourceExhausted, "quota exceeded", "unknown"],
    [Code.Unimplemented, "unknown service etcdserverpb.Auth", "unimplemented"],
    [Code.Internal, "protocol error", "unknown"],
    [Code.InvalidArgument, "something the server disliked", "unknown"],
  ] as const)("code %s %j → %s", (code, message, reason) => {
    const error = toEtcdError(new ConnectError(message, code));
    expect(error.reason).toBe(reason);
    expect(error.code).toBe(code);
    expect(error.rawMessage).toBe(message);
  });
});
