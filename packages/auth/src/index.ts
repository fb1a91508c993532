/**
 * @etcdkit/auth: etcd's auth API for TypeScript. Enable and disable auth, manage users, roles
 * and key permissions (one key, a range, a prefix), on any Connect transport.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createAuth } from "@etcdkit/auth";
 *
 * const auth = createAuth(createTransport({ endpoints: ["http://127.0.0.1:2379"] }));
 * await auth.roleAdd("reader");
 * await auth.roleGrantPermission("reader", { prefix: "app/", type: "read" });
 * ```
 */
export { createAuth } from "./create-auth.js";
export type { Auth, AuthResult, NoPassword } from "./auth.js";
export type { KeyRange, Permission, PermissionSpec, PermissionType } from "./permission.js";
export type { CallOptions } from "@etcdkit/transport";
export type { ResponseHeader } from "@etcdkit/transport";
