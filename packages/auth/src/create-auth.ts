import type { Transport } from "@connectrpc/connect";
import { Auth as AuthService, type ResponseHeader as RawResponseHeader } from "@etcdkit/api/etcdserverpb/rpc_pb";
import { connectCallOptions, type ResponseHeader } from "@etcdkit/transport";
import {
  checkTransport,
  createRpcClient,
  invalidArgumentError,
  ownOptions,
  ReadableRecord,
  readableRecord,
  toEtcdError,
  toResponseHeader,
} from "@etcdkit/transport/internal";
import type { Auth, AuthResult } from "./auth.js";
import { checkName, checkPassword } from "./names.js";
import { grantRangeBytes, keyRangeBytes, permissionTypeOf, toPermission } from "./permission.js";

/**
 * Creates the auth API on any Connect `Transport`.
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createAuth } from "@etcdkit/auth";
 *
 * const auth = createAuth(createTransport({ endpoints, auth: { username: "root", password } }));
 * const { users } = await auth.userList();
 * ```
 */
export function createAuth(transport: Transport): Auth {
  checkTransport(transport, "createAuth");
  const client = createRpcClient(AuthService, transport);
  const header = (response: { header?: RawResponseHeader | undefined }): AuthResult =>
    readableRecord({ header: toResponseHeader(response.header) });
  const opts = connectCallOptions;

  return {
    enable: (o) => call(async () => header(await client.authEnable({}, opts(o)))),
    disable: (o) => call(async () => header(await client.authDisable({}, opts(o)))),

    authenticate: (name, password, o) =>
      call(async () => {
        const request = { name: checkName(name, "authenticate", "user"), password: checkPassword(password, "authenticate") };
        const response = await client.authenticate(request, opts(o));
        return new Authenticated(toResponseHeader(response.header), response.token);
      }),

    userAdd: (name, password, o) =>
      call(async () => {
        const user = checkName(name, "userAdd", "user");
        const noPassword = typeof password === "object" && password !== null && ownOptions(password, "userAdd: the password").noPassword === true;
        if (typeof password === "object" && !noPassword) {
          throw invalidArgumentError("userAdd: give a password string or { noPassword: true }");
        }
        const request = noPassword
          ? { name: user, password: "", options: { noPassword: true } }
          : { name: user, password: checkPassword(password as string, "userAdd"), options: { noPassword: false } };
        return header(await client.userAdd(request, opts(o)));
      }),

    userGet: (name, o) =>
      call(async () => {
        const response = await client.userGet({ name: checkName(name, "userGet", "user") }, opts(o));
        return readableRecord({ header: toResponseHeader(response.header), roles: [...response.roles] });
      }),

    userList: (o) =>
      call(async () => {
        const response = await client.userList({}, opts(o));
        return readableRecord({ header: toResponseHeader(response.header), users: [...response.users] });
      }),

    userDelete: (name, o) => call(async () => header(await client.userDelete({ name: checkName(name, "userDelete", "user") }, opts(o)))),

    userChangePassword: (name, password, o) =>
      call(async () => {
        const request = { name: checkName(name, "userChangePassword", "user"), password: checkPassword(password, "userChangePassword") };
        return header(await client.userChangePassword(request, opts(o)));
      }),

    userGrantRole: (user, role, o) =>
      call(async () => {
        const request = { user: checkName(user, "userGrantRole", "user"), role: checkName(role, "userGrantRole", "role") };
        return header(await client.userGrantRole(request, opts(o)));
      }),

    userRevokeRole: (user, role, o) =>
      call(async () => {
        const request = { name: checkName(user, "userRevokeRole", "user"), role: checkName(role, "userRevokeRole", "role") };
        return header(await client.userRevokeRole(request, opts(o)));
      }),

    roleAdd: (name, o) => call(async () => header(await client.roleAdd({ name: checkName(name, "roleAdd", "role") }, opts(o)))),

    roleGet: (name, o) =>
      call(async () => {
        const response = await client.roleGet({ role: checkName(name, "roleGet", "role") }, opts(o));
        return readableRecord({ header: toResponseHeader(response.header), permissions: response.perm.map(toPermission) });
      }),

    roleList: (o) =>
      call(async () => {
        const response = await client.roleList({}, opts(o));
        return readableRecord({ header: toResponseHeader(response.header), roles: [...response.roles] });
      }),

    roleDelete: (name, o) => call(async () => header(await client.roleDelete({ role: checkName(name, "roleDelete", "role") }, opts(o)))),

    roleGrantPermission: (role, permission, o) =>
      call(async () => {
        const name = checkName(role, "roleGrantPermission", "role");
        const { key, rangeEnd } = grantRangeBytes(permission);
        const type = typeof permission === "object" && permission !== null ? ownOptions(permission).type : undefined;
        const perm = { permType: permissionTypeOf(type!), key, rangeEnd };
        return header(await client.roleGrantPermission({ name, perm }, opts(o)));
      }),

    roleRevokePermission: (role, range, o) =>
      call(async () => {
        const name = checkName(role, "roleRevokePermission", "role");
        const { key, rangeEnd } = keyRangeBytes(range);
        return header(await client.roleRevokePermission({ role: name, key, rangeEnd }, opts(o)));
      }),
  };
}

/** Runs one API call; whatever it throws leaves as an EtcdError. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toEtcdError(err);
  }
}

/**
 * The result of `authenticate`. Its token is a credential: `console.log` and `JSON.stringify`
 * show `"[redacted]"` in its place, so a logged result does not leak it (read `result.token`).
 */
class Authenticated extends ReadableRecord {
  readonly header: ResponseHeader;
  readonly token: string;

  constructor(header: ResponseHeader, token: string) {
    super();
    this.header = header;
    this.token = token;
    Object.freeze(this);
  }

  protected override readableFields(): object {
    return { header: this.header, token: "[redacted]" };
  }
}
